-- CreateTable
CREATE TABLE "AuditCheckpoint" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "fromSeq" INTEGER NOT NULL,
    "toSeq" INTEGER NOT NULL,
    "rootHash" TEXT NOT NULL,
    "headHash" TEXT NOT NULL,
    "signedAt" DATETIME NOT NULL,
    "keyId" TEXT NOT NULL,
    "signature" TEXT NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "AuditCheckpoint_fromSeq_key" ON "AuditCheckpoint"("fromSeq");

-- CreateIndex
CREATE UNIQUE INDEX "AuditCheckpoint_toSeq_key" ON "AuditCheckpoint"("toSeq");

-- Checkpoints are append-only too: a removed checkpoint could hide a truncated trail.
CREATE TRIGGER "AuditCheckpoint_no_update" BEFORE UPDATE ON "AuditCheckpoint"
BEGIN
    SELECT RAISE(ABORT, 'AuditCheckpoint is append-only: UPDATE refused');
END;

CREATE TRIGGER "AuditCheckpoint_no_delete" BEFORE DELETE ON "AuditCheckpoint"
BEGIN
    SELECT RAISE(ABORT, 'AuditCheckpoint is append-only: DELETE refused');
END;
