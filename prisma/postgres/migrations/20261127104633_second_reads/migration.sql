-- CreateTable
CREATE TABLE "Read" (
    "id" TEXT NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Read_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Finding" (
    "id" TEXT NOT NULL,
    "readId" TEXT NOT NULL,
    "ordinal" INTEGER NOT NULL,
    "origin" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "location" TEXT NOT NULL,
    "measurementMm" DOUBLE PRECISION,
    "probability" DOUBLE PRECISION,
    "modelId" TEXT,
    "modelVersion" TEXT,
    "modelSha256" TEXT,
    "executionProvider" TEXT,
    "explanationMethod" TEXT,
    "aiLabel" TEXT,
    "aiLocation" TEXT,
    "aiMeasurementMm" DOUBLE PRECISION,
    "rejectReason" TEXT,
    "note" TEXT,
    "decidedById" TEXT,
    "decidedByName" TEXT,
    "decidedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Finding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReadSignature" (
    "id" TEXT NOT NULL,
    "readId" TEXT NOT NULL,
    "signerId" TEXT NOT NULL,
    "printedName" TEXT NOT NULL,
    "meaning" TEXT NOT NULL,
    "signedAt" TIMESTAMP(3) NOT NULL,
    "contentHash" TEXT NOT NULL,

    CONSTRAINT "ReadSignature_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "Read" ADD CONSTRAINT "Read_amendsId_fkey" FOREIGN KEY ("amendsId") REFERENCES "Read"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Finding" ADD CONSTRAINT "Finding_readId_fkey" FOREIGN KEY ("readId") REFERENCES "Read"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReadSignature" ADD CONSTRAINT "ReadSignature_readId_fkey" FOREIGN KEY ("readId") REFERENCES "Read"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- A signed read is immutable: the database refuses to change or delete it, its findings
-- or its signature, whatever the application does. Amendments are new rows.
CREATE FUNCTION "Read_refuse_signed_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'Read records are kept: DELETE refused';
    END IF;
    IF OLD."status" = 'signed' THEN
        RAISE EXCEPTION 'Read is signed: UPDATE refused (amend it instead)';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER "Read_signed_immutable" BEFORE UPDATE OR DELETE ON "Read"
    FOR EACH ROW EXECUTE FUNCTION "Read_refuse_signed_change"();

CREATE FUNCTION "Finding_refuse_signed_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'Finding records are kept: DELETE refused';
    END IF;
    IF (SELECT "status" FROM "Read" WHERE "id" = NEW."readId") = 'signed'
       OR (TG_OP = 'UPDATE' AND (SELECT "status" FROM "Read" WHERE "id" = OLD."readId") = 'signed') THEN
        RAISE EXCEPTION 'Finding belongs to a signed read: % refused', TG_OP;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER "Finding_signed_immutable" BEFORE INSERT OR UPDATE OR DELETE ON "Finding"
    FOR EACH ROW EXECUTE FUNCTION "Finding_refuse_signed_change"();

CREATE FUNCTION "ReadSignature_refuse_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ReadSignature is append-only: % refused', TG_OP;
END;
$$;

CREATE TRIGGER "ReadSignature_no_update_delete" BEFORE UPDATE OR DELETE ON "ReadSignature"
    FOR EACH ROW EXECUTE FUNCTION "ReadSignature_refuse_change"();

CREATE TRIGGER "Read_tables_no_truncate" BEFORE TRUNCATE ON "ReadSignature"
    FOR EACH STATEMENT EXECUTE FUNCTION "ReadSignature_refuse_change"();

CREATE FUNCTION "Read_tables_refuse_truncate"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% records are kept: TRUNCATE refused', TG_TABLE_NAME;
END;
$$;

CREATE TRIGGER "Finding_no_truncate" BEFORE TRUNCATE ON "Finding"
    FOR EACH STATEMENT EXECUTE FUNCTION "Read_tables_refuse_truncate"();

CREATE TRIGGER "Read_no_truncate" BEFORE TRUNCATE ON "Read"
    FOR EACH STATEMENT EXECUTE FUNCTION "Read_tables_refuse_truncate"();

REVOKE UPDATE, DELETE, TRUNCATE ON "ReadSignature" FROM PUBLIC;
