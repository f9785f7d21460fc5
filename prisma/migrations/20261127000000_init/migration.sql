-- CreateTable
CREATE TABLE "Tenant" (
    "clientKey" TEXT NOT NULL,
    "appKey" TEXT NOT NULL,
    "sharedSecretEnc" TEXT NOT NULL,
    "baseUrl" TEXT NOT NULL,
    "displayUrl" TEXT,
    "productType" TEXT NOT NULL,
    "cloudId" TEXT,
    "oauthClientId" TEXT,
    "description" TEXT,
    "serverVersion" TEXT,
    "pluginsVersion" TEXT,
    "serviceEntitlementNumber" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "installedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" TIMESTAMP(3),
    "lastSeenAt" TIMESTAMP(3),
    "forgeInstallationId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Tenant_pkey" PRIMARY KEY ("clientKey")
);

-- CreateTable
CREATE TABLE "LifecycleEvent" (
    "id" BIGSERIAL NOT NULL,
    "event" TEXT NOT NULL,
    "clientKey" TEXT,
    "outcome" TEXT NOT NULL,
    "reason" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LifecycleEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TenantSettings" (
    "clientKey" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "updatedBy" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TenantSettings_pkey" PRIMARY KEY ("clientKey")
);

-- CreateTable
CREATE TABLE "ChecklistItem" (
    "id" TEXT NOT NULL,
    "clientKey" TEXT NOT NULL,
    "issueId" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "checked" BOOLEAN NOT NULL DEFAULT false,
    "checkedBy" TEXT,
    "checkedAt" TIMESTAMP(3),
    "position" DOUBLE PRECISION NOT NULL,
    "createdBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "ChecklistItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChecklistState" (
    "clientKey" TEXT NOT NULL,
    "issueId" TEXT NOT NULL,
    "initializedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChecklistState_pkey" PRIMARY KEY ("clientKey","issueId")
);

-- CreateTable
CREATE TABLE "UserPreference" (
    "clientKey" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "UserPreference_pkey" PRIMARY KEY ("clientKey","accountId")
);

-- CreateTable
CREATE TABLE "UserProfileCache" (
    "clientKey" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "fetchedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UserProfileCache_pkey" PRIMARY KEY ("clientKey","accountId")
);

-- CreateTable
CREATE TABLE "ProductCache" (
    "clientKey" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "fetchedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProductCache_pkey" PRIMARY KEY ("clientKey","key")
);

-- CreateTable
CREATE TABLE "JobRun" (
    "id" BIGSERIAL NOT NULL,
    "job" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "outcome" TEXT,
    "detail" JSONB,

    CONSTRAINT "JobRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Tenant_forgeInstallationId_key" ON "Tenant"("forgeInstallationId");

-- CreateIndex
CREATE INDEX "Tenant_uninstalledAt_idx" ON "Tenant"("uninstalledAt");

-- CreateIndex
CREATE INDEX "Tenant_cloudId_idx" ON "Tenant"("cloudId");

-- CreateIndex
CREATE INDEX "LifecycleEvent_clientKey_at_idx" ON "LifecycleEvent"("clientKey", "at");

-- CreateIndex
CREATE INDEX "ChecklistItem_clientKey_issueId_position_idx" ON "ChecklistItem"("clientKey", "issueId", "position");

-- CreateIndex
CREATE INDEX "ChecklistItem_clientKey_checkedBy_idx" ON "ChecklistItem"("clientKey", "checkedBy");

-- CreateIndex
CREATE INDEX "ChecklistItem_clientKey_createdBy_idx" ON "ChecklistItem"("clientKey", "createdBy");

-- CreateIndex
CREATE INDEX "JobRun_job_startedAt_idx" ON "JobRun"("job", "startedAt");
