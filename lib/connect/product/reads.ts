import { z } from 'zod';
import type { ProductRequester } from './client';
import type { RequestOptions } from './types';

/**
 * Typed helpers for the product reads apps need most. Each validates the response with Zod
 * and returns a small, stable shape; call options (deadline, signal, retry) pass through.
 */

type CallOptions = Pick<RequestOptions, 'timeoutMs' | 'deadline' | 'signal' | 'retry'>;

export const userSchema = z.object({
  accountId: z.string().min(1),
  displayName: z.string().default(''),
  active: z.boolean().optional(),
  accountType: z.string().optional(),
  timeZone: z.string().optional(),
  locale: z.string().optional(),
});
/** A user as Jira (`/rest/api/3/user`) or Confluence (`/rest/api/user`) describes them. */
export type ProductUser = z.infer<typeof userSchema>;

export const issueSchema = z.object({
  id: z.string(),
  key: z.string(),
  fields: z.record(z.string(), z.unknown()).default({}),
});
export type ProductIssue = z.infer<typeof issueSchema>;

export const issueSummarySchema = z.object({ id: z.string(), key: z.string(), summary: z.string() });
export type IssueSummary = z.infer<typeof issueSummarySchema>;

const addonSchema = z.object({
  key: z.string(),
  state: z.string().optional(),
  // Only `active` must be right; an odd type in a descriptive field must not cost the license check.
  license: z
    .object({
      active: z.boolean(),
      type: z.string().optional().catch(undefined),
      evaluation: z.boolean().optional().catch(undefined),
      nearlyExpired: z.boolean().optional().catch(undefined),
      licenseType: z.string().optional().catch(undefined),
      maximumNumberOfUsers: z.number().nullable().optional().catch(undefined),
      subscriptionEndDate: z.union([z.string(), z.number()]).transform(String).optional().catch(undefined),
    })
    .nullable()
    .optional(),
});

export const appLicenseSchema = z.object({
  appKey: z.string(),
  /** The app's state on the site (e.g. ENABLED), when the product said. */
  state: z.string().nullable(),
  /** False when the product returned no license object (free app, licensing off, development). */
  present: z.boolean(),
  active: z.boolean(),
  evaluation: z.boolean(),
  nearlyExpired: z.boolean(),
  type: z.string().nullable(),
  licenseType: z.string().nullable(),
  maximumNumberOfUsers: z.number().nullable(),
  subscriptionEndDate: z.string().nullable(),
});
/** The app's license on one site, from the Connect add-on API. */
export type AppLicense = z.infer<typeof appLicenseSchema>;

/** GET /rest/api/3/issue/{idOrKey} (Jira). `fields` limits the payload (and the rate-limit cost). */
export function getIssue(rq: ProductRequester, idOrKey: string, opts: CallOptions & { fields?: string[]; expand?: string[] } = {}): Promise<ProductIssue> {
  const { fields, expand, ...call } = opts;
  return rq.get(`/rest/api/3/issue/${encodeURIComponent(idOrKey)}`, {
    ...call,
    query: { fields: fields?.join(','), expand: expand?.join(',') },
    schema: issueSchema,
  });
}

/** The issue's key and summary only: what a panel header needs. */
export async function getIssueSummary(rq: ProductRequester, idOrKey: string, opts: CallOptions = {}): Promise<IssueSummary> {
  const issue = await getIssue(rq, idOrKey, { ...opts, fields: ['summary'] });
  return { id: issue.id, key: issue.key, summary: typeof issue.fields.summary === 'string' ? issue.fields.summary : '' };
}

/** GET /rest/api/3/myself — the user a user-acting requester impersonates (Jira). */
export function getMyself(rq: ProductRequester, opts: CallOptions = {}): Promise<ProductUser> {
  return rq.get('/rest/api/3/myself', { ...opts, schema: userSchema });
}

/** A user by accountId, on Jira (`/rest/api/3/user`) or Confluence (`/rest/api/user`). */
export async function getUser(rq: ProductRequester, accountId: string, opts: CallOptions = {}): Promise<ProductUser> {
  const tenant = await rq.tenant();
  const path = tenant.productType === 'confluence' ? '/rest/api/user' : '/rest/api/3/user';
  return rq.get(path, { ...opts, query: { accountId }, schema: userSchema });
}

/**
 * Whether `accountId` holds a Jira global permission, via POST /rest/api/3/permissions/check
 * (a read, so marked idempotent and retried like a GET). `ADMINISTER` = Jira administrator.
 */
export async function checkGlobalPermission(rq: ProductRequester, accountId: string, permission: string, opts: CallOptions = {}): Promise<boolean> {
  const res = await rq.post(
    '/rest/api/3/permissions/check',
    { accountId, globalPermissions: [permission] },
    { ...opts, idempotent: true, schema: z.object({ globalPermissions: z.array(z.string()).default([]) }) },
  );
  return res.globalPermissions.includes(permission);
}

/** GET /rest/atlassian-connect/1/addons/{appKey}: the app's license on the site. */
export async function getAppLicense(rq: ProductRequester, appKey: string, opts: CallOptions = {}): Promise<AppLicense> {
  const addon = await rq.get(`/rest/atlassian-connect/1/addons/${encodeURIComponent(appKey)}`, { ...opts, schema: addonSchema });
  const l = addon.license ?? undefined;
  return {
    appKey: addon.key,
    state: addon.state ?? null,
    present: l !== undefined,
    active: l?.active ?? false,
    evaluation: l?.evaluation ?? false,
    nearlyExpired: l?.nearlyExpired ?? false,
    type: l?.type ?? null,
    licenseType: l?.licenseType ?? null,
    maximumNumberOfUsers: l?.maximumNumberOfUsers ?? null,
    subscriptionEndDate: l?.subscriptionEndDate ?? null,
  };
}
