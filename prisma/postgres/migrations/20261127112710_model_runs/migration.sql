-- CreateTable
CREATE TABLE "ModelRun" (
    "id" TEXT NOT NULL,
    "readId" TEXT NOT NULL,
    "modelId" TEXT NOT NULL,
    "modelVersion" TEXT NOT NULL,
    "modelSha256" TEXT NOT NULL,
    "executionProvider" TEXT NOT NULL,
    "findingCount" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ModelRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ModelRun_readId_idx" ON "ModelRun"("readId");

-- AddForeignKey
ALTER TABLE "ModelRun" ADD CONSTRAINT "ModelRun_readId_fkey" FOREIGN KEY ("readId") REFERENCES "Read"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Part of the read: kept, and closed with it when the read is signed.
CREATE FUNCTION "ModelRun_refuse_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF (SELECT "status" FROM "Read" WHERE "id" = NEW."readId") = 'signed' THEN
            RAISE EXCEPTION 'Read is signed: new model runs refused';
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'ModelRun is append-only: % refused', TG_OP;
END;
$$;

CREATE TRIGGER "ModelRun_append_only" BEFORE INSERT OR UPDATE OR DELETE ON "ModelRun"
    FOR EACH ROW EXECUTE FUNCTION "ModelRun_refuse_change"();

CREATE TRIGGER "ModelRun_no_truncate" BEFORE TRUNCATE ON "ModelRun"
    FOR EACH STATEMENT EXECUTE FUNCTION "ModelRun_refuse_change"();
