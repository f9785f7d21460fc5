/**
 * The product REST client of lib/connect: calls Jira/Confluence as the app or as a user, with
 * deadlines, Atlassian's retry algorithm, a per-tenant circuit breaker and bulkhead, typed
 * errors, and a stale-while-revalidate cache for what pages render. See client.ts to start.
 */
export { ProductClient, createProductClient, type ProductClientOptions, type ProductRequester } from './client';
export { forgeCredentials, ForgeTokenError, isAtlassianApiGateway, type ForgeCredentials, type ForgeCredentialsInput, type ForgeTokenKind, type ForgeTokenProblem } from './forge-auth';
export type { CallAuth, PreparedCall } from './call-auth';
export { ProductApiError, isProductApiError, productErrorToConnectError, type ProductErrorKind } from './errors';
export type { HttpMethod, ProductResponse, RequestOptions, QueryValue, CallIdentity, ProductLogger, ProductObserver } from './types';
export { ATLASSIAN_RETRY, parseRetryAfter, retryDelayMs, type RetryOptions } from './retry-delay';
export type { BreakerOptions, BulkheadOptions, BreakerEvent } from './policies';
export {
  MemoryRateLimitState,
  SqlRateLimitState,
  RATE_LIMIT_TABLE_SQL,
  limitKind,
  callScopes,
  resumeAt,
  type LimitKind,
  type CallScopes,
  type Pause,
  type RateLimitState,
} from './rate-limits';
export { RatePacer, JIRA_BURST_PER_SECOND, JIRA_ISSUE_WRITES, type PacingOptions } from './rate-pacer';
export { MemoryBudgetStore, SqlBudgetStore, RATE_BUDGET_TABLE_SQL, type BudgetStore } from './rate-budget';
export { SwrCache, type Cached, type SwrStore, type SwrCacheOptions, type SwrReadOptions, type SwrLoader } from './swr-cache';
export {
  getIssue,
  getIssueSummary,
  getMyself,
  getUser,
  checkGlobalPermission,
  getAppLicense,
  type ProductIssue,
  type IssueSummary,
  type ProductUser,
  type AppLicense,
} from './reads';
export { CachedProductReads, cacheKeys, displayNameSchema, type CachedReadsOptions, type ReadCallOptions, type DisplayName } from './cached-reads';
export { within, type Settled } from './budget';
export { createLicenseResolver, licenseStateFromAppLicense, type LicenseResolverOptions } from './license';
