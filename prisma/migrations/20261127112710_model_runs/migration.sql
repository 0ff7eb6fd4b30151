-- CreateTable
CREATE TABLE "ModelRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "readId" TEXT NOT NULL,
    "modelId" TEXT NOT NULL,
    "modelVersion" TEXT NOT NULL,
    "modelSha256" TEXT NOT NULL,
    "executionProvider" TEXT NOT NULL,
    "findingCount" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ModelRun_readId_fkey" FOREIGN KEY ("readId") REFERENCES "Read" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "ModelRun_readId_idx" ON "ModelRun"("readId");

-- Part of the read: kept, and closed with it when the read is signed.
CREATE TRIGGER "ModelRun_signed_no_insert" BEFORE INSERT ON "ModelRun"
WHEN (SELECT "status" FROM "Read" WHERE "id" = NEW."readId") = 'signed'
BEGIN
    SELECT RAISE(ABORT, 'Read is signed: new model runs refused');
END;

CREATE TRIGGER "ModelRun_no_update" BEFORE UPDATE ON "ModelRun"
BEGIN
    SELECT RAISE(ABORT, 'ModelRun is append-only: UPDATE refused');
END;

CREATE TRIGGER "ModelRun_no_delete" BEFORE DELETE ON "ModelRun"
BEGIN
    SELECT RAISE(ABORT, 'ModelRun is append-only: DELETE refused');
END;
