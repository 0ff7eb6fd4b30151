-- CreateTable
CREATE TABLE "AuditCheckpoint" (
    "id" SERIAL NOT NULL,
    "fromSeq" INTEGER NOT NULL,
    "toSeq" INTEGER NOT NULL,
    "rootHash" TEXT NOT NULL,
    "headHash" TEXT NOT NULL,
    "signedAt" TIMESTAMP(3) NOT NULL,
    "keyId" TEXT NOT NULL,
    "signature" TEXT NOT NULL,

    CONSTRAINT "AuditCheckpoint_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AuditCheckpoint_fromSeq_key" ON "AuditCheckpoint"("fromSeq");

-- CreateIndex
CREATE UNIQUE INDEX "AuditCheckpoint_toSeq_key" ON "AuditCheckpoint"("toSeq");

-- Checkpoints are append-only too: a removed checkpoint could hide a truncated trail.
CREATE FUNCTION "AuditCheckpoint_refuse_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'AuditCheckpoint is append-only: % refused', TG_OP;
END;
$$;

CREATE TRIGGER "AuditCheckpoint_no_update_delete" BEFORE UPDATE OR DELETE ON "AuditCheckpoint"
    FOR EACH ROW EXECUTE FUNCTION "AuditCheckpoint_refuse_change"();

CREATE TRIGGER "AuditCheckpoint_no_truncate" BEFORE TRUNCATE ON "AuditCheckpoint"
    FOR EACH STATEMENT EXECUTE FUNCTION "AuditCheckpoint_refuse_change"();

REVOKE UPDATE, DELETE, TRUNCATE ON "AuditCheckpoint" FROM PUBLIC;
