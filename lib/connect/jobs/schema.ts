/**
 * The table the SQL job store needs, for apps that manage their own migrations: copy it into a
 * migration (the reference app's is prisma/migrations/20261203000000_jobs_and_issue_projects;
 * a test checks the two agree). PostgreSQL ≥ 9.5 and PGlite.
 */
export const JOBS_TABLE_SQL = `
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
CREATE UNIQUE INDEX "ConnectJob_clientKey_dedupeKey_key" ON "ConnectJob"("clientKey", "dedupeKey");
CREATE UNIQUE INDEX "ConnectJob_queue_clientKey_pendingKey_key" ON "ConnectJob"("queue", "clientKey", "pendingKey");
CREATE INDEX "ConnectJob_status_runAt_idx" ON "ConnectJob"("status", "runAt");
CREATE INDEX "ConnectJob_clientKey_queue_coalesceKey_idx" ON "ConnectJob"("clientKey", "queue", "coalesceKey");
CREATE INDEX "ConnectJob_status_finishedAt_idx" ON "ConnectJob"("status", "finishedAt");
`;
