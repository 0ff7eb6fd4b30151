-- CreateTable
CREATE TABLE "PacsServer" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "qidoRoot" TEXT NOT NULL,
    "wadoRoot" TEXT NOT NULL,
    "authHeader" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "PacsServer_name_key" ON "PacsServer"("name");
