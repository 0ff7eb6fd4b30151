-- CreateTable
CREATE TABLE "AnnotationProject" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "labelSchema" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdByName" TEXT NOT NULL,
    "unblindedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AnnotationProject_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProjectStudy" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "studyInstanceUid" TEXT NOT NULL,
    "studyDescription" TEXT NOT NULL,
    "pacsId" TEXT,
    "queueScore" DOUBLE PRECISION,
    "queueModelId" TEXT,
    "queueModelVersion" TEXT,
    "addedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProjectStudy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProjectAnnotator" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "addedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProjectAnnotator_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AnnotationTask" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "studyId" TEXT NOT NULL,
    "annotatorId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "openedAt" TIMESTAMP(3),
    "submittedAt" TIMESTAMP(3),

    CONSTRAINT "AnnotationTask_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AnnotationSubmission" (
    "id" TEXT NOT NULL,
    "taskId" TEXT NOT NULL,
    "segSopInstanceUid" TEXT NOT NULL,
    "segSha256" TEXT NOT NULL,
    "storedAt" TEXT NOT NULL,
    "pacsId" TEXT,
    "figures" TEXT NOT NULL,
    "submittedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AnnotationSubmission_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AgreementRecord" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "studyId" TEXT NOT NULL,
    "segmentNumber" INTEGER NOT NULL,
    "annotatorAId" TEXT NOT NULL,
    "annotatorBId" TEXT NOT NULL,
    "submissionAId" TEXT NOT NULL,
    "submissionBId" TEXT NOT NULL,
    "dice" DOUBLE PRECISION NOT NULL,
    "jaccard" DOUBLE PRECISION NOT NULL,
    "hd95Mm" DOUBLE PRECISION,
    "assdMm" DOUBLE PRECISION,
    "volumeDifferenceMl" DOUBLE PRECISION NOT NULL,
    "computedById" TEXT NOT NULL,
    "computedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AgreementRecord_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConsensusRecord" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "studyId" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "submissionIds" TEXT NOT NULL,
    "segSopInstanceUid" TEXT NOT NULL,
    "segSha256" TEXT NOT NULL,
    "storedAt" TEXT NOT NULL,
    "pacsId" TEXT,
    "computedById" TEXT NOT NULL,
    "computedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ConsensusRecord_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "ProjectStudy" ADD CONSTRAINT "ProjectStudy_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "AnnotationProject"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProjectAnnotator" ADD CONSTRAINT "ProjectAnnotator_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "AnnotationProject"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnnotationTask" ADD CONSTRAINT "AnnotationTask_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "AnnotationProject"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnnotationTask" ADD CONSTRAINT "AnnotationTask_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "ProjectStudy"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnnotationSubmission" ADD CONSTRAINT "AnnotationSubmission_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "AnnotationTask"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AgreementRecord" ADD CONSTRAINT "AgreementRecord_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "AnnotationProject"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AgreementRecord" ADD CONSTRAINT "AgreementRecord_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "ProjectStudy"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConsensusRecord" ADD CONSTRAINT "ConsensusRecord_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "AnnotationProject"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConsensusRecord" ADD CONSTRAINT "ConsensusRecord_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "ProjectStudy"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- What annotators submitted, the agreement computed on it and the consensus made from it
-- are records of fact: the database refuses to change or remove them (by trigger, which
-- binds the owner too, and by privilege for the app role: lib/db/app-role.ts).
CREATE FUNCTION "AnnotationRecord_refuse_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END;
$$;

CREATE TRIGGER "AnnotationSubmission_no_update_delete" BEFORE UPDATE OR DELETE ON "AnnotationSubmission"
    FOR EACH ROW EXECUTE FUNCTION "AnnotationRecord_refuse_change"();
CREATE TRIGGER "AgreementRecord_no_update_delete" BEFORE UPDATE OR DELETE ON "AgreementRecord"
    FOR EACH ROW EXECUTE FUNCTION "AnnotationRecord_refuse_change"();
CREATE TRIGGER "ConsensusRecord_no_update_delete" BEFORE UPDATE OR DELETE ON "ConsensusRecord"
    FOR EACH ROW EXECUTE FUNCTION "AnnotationRecord_refuse_change"();
CREATE TRIGGER "AnnotationSubmission_no_truncate" BEFORE TRUNCATE ON "AnnotationSubmission"
    FOR EACH STATEMENT EXECUTE FUNCTION "AnnotationRecord_refuse_change"();
CREATE TRIGGER "AgreementRecord_no_truncate" BEFORE TRUNCATE ON "AgreementRecord"
    FOR EACH STATEMENT EXECUTE FUNCTION "AnnotationRecord_refuse_change"();
CREATE TRIGGER "ConsensusRecord_no_truncate" BEFORE TRUNCATE ON "ConsensusRecord"
    FOR EACH STATEMENT EXECUTE FUNCTION "AnnotationRecord_refuse_change"();
