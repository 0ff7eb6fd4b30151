-- AlterTable
ALTER TABLE "ReadSignature" ADD COLUMN "auditSeq" INTEGER;
ALTER TABLE "ReadSignature" ADD COLUMN "keyId" TEXT;
ALTER TABLE "ReadSignature" ADD COLUMN "serverSignature" TEXT;
