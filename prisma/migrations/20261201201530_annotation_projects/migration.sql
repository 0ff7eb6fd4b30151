-- CreateTable
CREATE TABLE "AnnotationProject" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "labelSchema" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdByName" TEXT NOT NULL,
    "unblindedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ProjectStudy" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "studyInstanceUid" TEXT NOT NULL,
    "studyDescription" TEXT NOT NULL,
    "pacsId" TEXT,
    "queueScore" REAL,
    "queueModelId" TEXT,
    "queueModelVersion" TEXT,
    "addedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ProjectStudy_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "AnnotationProject" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ProjectAnnotator" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "addedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ProjectAnnotator_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "AnnotationProject" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AnnotationTask" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "studyId" TEXT NOT NULL,
    "annotatorId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "openedAt" DATETIME,
    "submittedAt" DATETIME,
    CONSTRAINT "AnnotationTask_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "AnnotationProject" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "AnnotationTask_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "ProjectStudy" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AnnotationSubmission" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "taskId" TEXT NOT NULL,
    "segSopInstanceUid" TEXT NOT NULL,
    "segSha256" TEXT NOT NULL,
    "storedAt" TEXT NOT NULL,
    "pacsId" TEXT,
    "figures" TEXT NOT NULL,
    "submittedAt" DATETIME NOT NULL,
    CONSTRAINT "AnnotationSubmission_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "AnnotationTask" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AgreementRecord" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "studyId" TEXT NOT NULL,
    "segmentNumber" INTEGER NOT NULL,
    "annotatorAId" TEXT NOT NULL,
    "annotatorBId" TEXT NOT NULL,
    "submissionAId" TEXT NOT NULL,
    "submissionBId" TEXT NOT NULL,
    "dice" REAL NOT NULL,
    "jaccard" REAL NOT NULL,
    "hd95Mm" REAL,
    "assdMm" REAL,
    "volumeDifferenceMl" REAL NOT NULL,
    "computedById" TEXT NOT NULL,
    "computedAt" DATETIME NOT NULL,
    CONSTRAINT "AgreementRecord_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "AnnotationProject" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "AgreementRecord_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "ProjectStudy" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ConsensusRecord" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "studyId" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "submissionIds" TEXT NOT NULL,
    "segSopInstanceUid" TEXT NOT NULL,
    "segSha256" TEXT NOT NULL,
    "storedAt" TEXT NOT NULL,
    "pacsId" TEXT,
    "computedById" TEXT NOT NULL,
    "computedAt" DATETIME NOT NULL,
    CONSTRAINT "ConsensusRecord_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "AnnotationProject" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "ConsensusRecord_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "ProjectStudy" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "AnnotationProject_createdById_idx" ON "AnnotationProject"("createdById");

-- CreateIndex
CREATE UNIQUE INDEX "ProjectStudy_projectId_studyInstanceUid_key" ON "ProjectStudy"("projectId", "studyInstanceUid");

-- CreateIndex
CREATE UNIQUE INDEX "ProjectAnnotator_projectId_userId_key" ON "ProjectAnnotator"("projectId", "userId");

-- CreateIndex
CREATE INDEX "AnnotationTask_projectId_annotatorId_idx" ON "AnnotationTask"("projectId", "annotatorId");

-- CreateIndex
CREATE UNIQUE INDEX "AnnotationTask_studyId_annotatorId_key" ON "AnnotationTask"("studyId", "annotatorId");

-- CreateIndex
CREATE UNIQUE INDEX "AnnotationSubmission_taskId_key" ON "AnnotationSubmission"("taskId");

-- CreateIndex
CREATE INDEX "AgreementRecord_projectId_studyId_idx" ON "AgreementRecord"("projectId", "studyId");

-- CreateIndex
CREATE INDEX "ConsensusRecord_projectId_studyId_idx" ON "ConsensusRecord"("projectId", "studyId");

-- What annotators submitted, the agreement computed on it and the consensus made from it
-- are records of fact: the database refuses to change or remove them.
CREATE TRIGGER "AnnotationSubmission_no_update" BEFORE UPDATE ON "AnnotationSubmission"
BEGIN
    SELECT RAISE(ABORT, 'AnnotationSubmission is append-only: UPDATE refused');
END;

CREATE TRIGGER "AnnotationSubmission_no_delete" BEFORE DELETE ON "AnnotationSubmission"
BEGIN
    SELECT RAISE(ABORT, 'AnnotationSubmission is append-only: DELETE refused');
END;

CREATE TRIGGER "AgreementRecord_no_update" BEFORE UPDATE ON "AgreementRecord"
BEGIN
    SELECT RAISE(ABORT, 'AgreementRecord is append-only: UPDATE refused');
END;

CREATE TRIGGER "AgreementRecord_no_delete" BEFORE DELETE ON "AgreementRecord"
BEGIN
    SELECT RAISE(ABORT, 'AgreementRecord is append-only: DELETE refused');
END;

CREATE TRIGGER "ConsensusRecord_no_update" BEFORE UPDATE ON "ConsensusRecord"
BEGIN
    SELECT RAISE(ABORT, 'ConsensusRecord is append-only: UPDATE refused');
END;

CREATE TRIGGER "ConsensusRecord_no_delete" BEFORE DELETE ON "ConsensusRecord"
BEGIN
    SELECT RAISE(ABORT, 'ConsensusRecord is append-only: DELETE refused');
END;
