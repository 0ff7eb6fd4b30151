-- CreateTable
CREATE TABLE "PacsServer" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "qidoRoot" TEXT NOT NULL,
    "wadoRoot" TEXT NOT NULL,
    "authHeader" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PacsServer_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "PacsServer_name_key" ON "PacsServer"("name");
