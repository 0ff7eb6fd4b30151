-- AlterTable
ALTER TABLE "ReadSignature" ADD COLUMN     "auditSeq" INTEGER,
ADD COLUMN     "keyId" TEXT,
ADD COLUMN     "serverSignature" TEXT;
