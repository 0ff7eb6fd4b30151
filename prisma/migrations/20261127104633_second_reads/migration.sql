-- CreateTable
CREATE TABLE "Read" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "purpose" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "amendsId" TEXT,
    "amendReason" TEXT,
    "openKey" TEXT,
    "studyInstanceUid" TEXT NOT NULL,
    "studyDescription" TEXT NOT NULL,
    "studyDate" TEXT NOT NULL,
    "accessionNumber" TEXT NOT NULL,
    "modality" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "sourceRef" TEXT,
    "readerId" TEXT NOT NULL,
    "readerName" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Read_amendsId_fkey" FOREIGN KEY ("amendsId") REFERENCES "Read" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Finding" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "readId" TEXT NOT NULL,
    "ordinal" INTEGER NOT NULL,
    "origin" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "location" TEXT NOT NULL,
    "measurementMm" REAL,
    "probability" REAL,
    "modelId" TEXT,
    "modelVersion" TEXT,
    "modelSha256" TEXT,
    "executionProvider" TEXT,
    "explanationMethod" TEXT,
    "aiLabel" TEXT,
    "aiLocation" TEXT,
    "aiMeasurementMm" REAL,
    "rejectReason" TEXT,
    "note" TEXT,
    "decidedById" TEXT,
    "decidedByName" TEXT,
    "decidedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Finding_readId_fkey" FOREIGN KEY ("readId") REFERENCES "Read" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ReadSignature" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "readId" TEXT NOT NULL,
    "signerId" TEXT NOT NULL,
    "printedName" TEXT NOT NULL,
    "meaning" TEXT NOT NULL,
    "signedAt" DATETIME NOT NULL,
    "contentHash" TEXT NOT NULL,
    CONSTRAINT "ReadSignature_readId_fkey" FOREIGN KEY ("readId") REFERENCES "Read" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Read_amendsId_key" ON "Read"("amendsId");

-- CreateIndex
CREATE UNIQUE INDEX "Read_openKey_key" ON "Read"("openKey");

-- CreateIndex
CREATE INDEX "Read_status_purpose_idx" ON "Read"("status", "purpose");

-- CreateIndex
CREATE INDEX "Read_studyInstanceUid_idx" ON "Read"("studyInstanceUid");

-- CreateIndex
CREATE INDEX "Finding_modelId_idx" ON "Finding"("modelId");

-- CreateIndex
CREATE UNIQUE INDEX "Finding_readId_ordinal_key" ON "Finding"("readId", "ordinal");

-- CreateIndex
CREATE UNIQUE INDEX "ReadSignature_readId_key" ON "ReadSignature"("readId");

-- A signed read is immutable: the database refuses to change or delete it, its findings
-- or its signature, whatever the application does. Amendments are new rows.
CREATE TRIGGER "Read_signed_no_update" BEFORE UPDATE ON "Read"
WHEN OLD."status" = 'signed'
BEGIN
    SELECT RAISE(ABORT, 'Read is signed: UPDATE refused (amend it instead)');
END;

CREATE TRIGGER "Read_no_delete" BEFORE DELETE ON "Read"
BEGIN
    SELECT RAISE(ABORT, 'Read records are kept: DELETE refused');
END;

CREATE TRIGGER "Finding_signed_no_update" BEFORE UPDATE ON "Finding"
WHEN (SELECT "status" FROM "Read" WHERE "id" = OLD."readId") = 'signed'
  OR (SELECT "status" FROM "Read" WHERE "id" = NEW."readId") = 'signed'
BEGIN
    SELECT RAISE(ABORT, 'Finding belongs to a signed read: UPDATE refused');
END;

CREATE TRIGGER "Finding_signed_no_insert" BEFORE INSERT ON "Finding"
WHEN (SELECT "status" FROM "Read" WHERE "id" = NEW."readId") = 'signed'
BEGIN
    SELECT RAISE(ABORT, 'Read is signed: new findings refused');
END;

CREATE TRIGGER "Finding_no_delete" BEFORE DELETE ON "Finding"
BEGIN
    SELECT RAISE(ABORT, 'Finding records are kept: DELETE refused');
END;

CREATE TRIGGER "ReadSignature_no_update" BEFORE UPDATE ON "ReadSignature"
BEGIN
    SELECT RAISE(ABORT, 'ReadSignature is append-only: UPDATE refused');
END;

CREATE TRIGGER "ReadSignature_no_delete" BEFORE DELETE ON "ReadSignature"
BEGIN
    SELECT RAISE(ABORT, 'ReadSignature is append-only: DELETE refused');
END;
