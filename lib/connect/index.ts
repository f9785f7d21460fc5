/**
 * atlassian-connect-next: an Atlassian Connect framework for Next.js (App Router) and any
 * fetch-style server. Start with {@link createConnect}; see README.md.
 *
 * Entry points: `.` (this: the framework), `/next` (Next.js route glue), `/forge` (Connect on
 * Forge), `/forge/tooling` (manifest validation and YAML, for CLIs), `/prisma` (storage adapters),
 * `/testing` (signers, in-memory store and a fake product for tests).
 *
 * Background work lives here too: the durable job queue (`JobQueue` on `SqlJobStore`, whose
 * table is the `ConnectJob` model of `/prisma`'s connect.prisma) and webhooks received into it.
 */
export { createConnect, ATLASSIAN_PRODUCT_HOSTS, type Connect, type ConnectOptions } from './create-connect';
export { ConnectError, defineErrorCodes, errorBody, errorCodes, toConnectError, type ConnectErrorOptions, type ErrorCode } from './errors';
export {
  buildDescriptor,
  LIFECYCLE_PATHS,
  MODULE_KINDS,
  moduleKind,
  type AppDefinition,
  type I18nText,
  type KnownModuleType,
  type LifecycleEventName,
  type ModuleCondition,
  type ModuleDefinition,
  type ModuleKind,
  type ModuleType,
  type Product,
  type Scope,
} from './descriptor';
export type { ProductScope, RequestContext, TokenKind } from './auth';
export type { ConnectContext, ConnectHandler, PageOptions, PolicyOptions, RouteHandler, RouteParams } from './wrappers';
export { errorResponse } from './wrappers';
export { answerFor, delegateToReal, jsonResponse, pendingBodyText, StringResponse, TAKES_STRING_ANSWERS, textResponse } from './response';
export type { BuiltInPolicy, Policy, PolicyName, ScopeRule } from './policies';
export { licenseFromParam, normaliseLocale, parseAcceptLanguage, pickLocale, type LicenseParam, type LicenseState } from './context';
export { CONTEXT_QSH, canonicalRequest, computeQsh } from './qsh';
export { isAllowedProductUrl, frameAncestors } from './hosts';
export type { ConnectConfig, ConnectLogger, ConnectRuntime } from './runtime';
export type { InstallData, InstallRecord, LifecycleRecord, Tenant, TenantRecord, TenantStore } from './tenants/types';
export type { TenantChangeListener, TenantChangeReason } from './tenants/events';
export { lifecyclePayload, type LifecyclePayload } from './lifecycle';
export * from './product/index';
export { decodeUnverified, hmacKey, tokenFromRequest, verifyJwt, type ConnectClaims, type VerifyOptions } from './jwt';
export { readBodyCapped, readJsonCapped } from './body';
export { arrivedOverHttps, isSafeKey } from './context';
export * from './jobs/index';
export * from './webhooks/index';
export { issuePropertyPath, putIssueProperty, MAX_PROPERTY_VALUE_CHARS, type EntityPropertyModule, type ExtractionType, type PropertyExtraction } from './entity-properties';
