-- CreateTable
CREATE TABLE "ConnectJob" (
    "id" BIGSERIAL NOT NULL,
    "queue" TEXT NOT NULL,
    "clientKey" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "runAt" TIMESTAMPTZ(3) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL,
    "dedupeKey" TEXT,
    "coalesceKey" TEXT,
    "pendingKey" TEXT,
    "coalesced" INTEGER NOT NULL DEFAULT 0,
    "lockedBy" TEXT,
    "lastError" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ConnectJob_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ConnectJob_clientKey_dedupeKey_key" ON "ConnectJob"("clientKey", "dedupeKey");

-- CreateIndex
CREATE UNIQUE INDEX "ConnectJob_queue_clientKey_pendingKey_key" ON "ConnectJob"("queue", "clientKey", "pendingKey");

-- CreateIndex
CREATE INDEX "ConnectJob_status_runAt_idx" ON "ConnectJob"("status", "runAt");

-- CreateIndex
CREATE INDEX "ConnectJob_clientKey_queue_coalesceKey_idx" ON "ConnectJob"("clientKey", "queue", "coalesceKey");

-- CreateIndex
CREATE INDEX "ConnectJob_status_finishedAt_idx" ON "ConnectJob"("status", "finishedAt");

-- AlterTable
ALTER TABLE "ChecklistState" ADD COLUMN     "projectId" TEXT,
ADD COLUMN     "projectKey" TEXT,
ADD COLUMN     "projectChangedAt" TIMESTAMP(3);
