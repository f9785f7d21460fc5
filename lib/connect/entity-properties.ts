import type { ProductRequester } from './product/client';

/**
 * Jira entity properties written by the app, and the `jiraEntityProperties` module that makes
 * their fields searchable in JQL under readable aliases.
 * - Module: https://developer.atlassian.com/cloud/jira/platform/modules/entity-property/
 *   (`entityType`, `keyConfigurations[].propertyKey`, `extractions[]` of `objectName` (a path
 *   into the JSON value), `type` (number, string, text, date, user) and `alias`). Anyone who can
 *   see the issue can read its properties through the REST API: never store personal data.
 * - REST: PUT /rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey} (scope WRITE; the value
 *   is any JSON up to 32768 characters; 201 created, 200 updated)
 *   https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-properties/
 */

export type ExtractionType = 'number' | 'string' | 'text' | 'date' | 'user';

export interface PropertyExtraction {
  /** Path into the property's JSON value, `.`-separated. */
  objectName: string;
  type: ExtractionType;
  /** The JQL name; without one the field is only `issue.property[key].path`. */
  alias?: string;
}

export interface EntityPropertyModule {
  key: string;
  name: { value: string; i18n?: string };
  entityType: 'issue';
  keyConfigurations: { propertyKey: string; extractions: PropertyExtraction[] }[];
  [field: string]: unknown;
}

export const MAX_PROPERTY_VALUE_CHARS = 32_768;
const PROPERTY_KEY = /^[A-Za-z0-9._-]{1,255}$/;
const ISSUE = /^[A-Za-z0-9_-]{1,64}$/;

export function issuePropertyPath(issueIdOrKey: string, propertyKey: string): string {
  if (!ISSUE.test(issueIdOrKey)) throw new TypeError(`not an issue id or key: ${issueIdOrKey}`);
  if (!PROPERTY_KEY.test(propertyKey)) throw new TypeError(`not a property key: ${propertyKey}`);
  return `/rest/api/3/issue/${encodeURIComponent(issueIdOrKey)}/properties/${encodeURIComponent(propertyKey)}`;
}

/** Sets an issue property as the app. Resolves with the product's status (200 or 201). */
export async function putIssueProperty(
  product: ProductRequester,
  issueIdOrKey: string,
  propertyKey: string,
  value: unknown,
  opts: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<number> {
  const json = JSON.stringify(value);
  if (json === undefined || json.length > MAX_PROPERTY_VALUE_CHARS) throw new RangeError(`property value must be JSON of at most ${MAX_PROPERTY_VALUE_CHARS} characters`);
  const res = await product.request(issuePropertyPath(issueIdOrKey, propertyKey), { method: 'PUT', body: value, idempotent: true, signal: opts.signal, timeoutMs: opts.timeoutMs });
  return res.status;
}
