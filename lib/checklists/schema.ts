import { z } from 'zod';
import type { DegradedPart } from '@/lib/app/degraded';
import { CHECKLIST_LIMITS } from './limits';

/**
 * Request bodies of the checklist API and the shapes it answers with. Client-safe (no server
 * imports): the panel uses the same limits to validate before it sends.
 */

/** Item text: trimmed, one line (newlines folded to spaces), 1..500 characters. */
export const itemText = z
  .string()
  .transform((s) => s.replace(/[\r\n\t]+/g, ' ').trim())
  .pipe(z.string().min(1, 'Text is required').max(CHECKLIST_LIMITS.itemText, `At most ${CHECKLIST_LIMITS.itemText} characters`));

const version = z.number().int().min(1);
const itemId = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'Invalid item id');

/** Jira issue ids are numeric; keep the path segment strict so nothing else reaches the DB. */
export const issueIdParam = z.string().regex(/^\d{1,18}$/, 'Invalid issue id');
export const itemIdParam = itemId;
export const projectKeyParam = z.string().regex(/^[A-Z][A-Z0-9_]{0,49}$/, 'Invalid project key');

export const createItemBody = z.strictObject({ text: itemText });

export const updateItemBody = z
  .strictObject({ version, text: itemText.optional(), checked: z.boolean().optional() })
  .refine((b) => b.text !== undefined || b.checked !== undefined, { message: 'Nothing to change: give text or checked' });

/** Move an item after another (`afterId`), or to the top (`afterId: null`). */
export const moveItemBody = z.strictObject({ afterId: itemId.nullable() });

export const deleteItemBody = z.strictObject({ version });

export type CreateItemBody = z.infer<typeof createItemBody>;
export type UpdateItemBody = z.infer<typeof updateItemBody>;
export type MoveItemBody = z.infer<typeof moveItemBody>;

export interface ItemDto {
  id: string;
  text: string;
  checked: boolean;
  /** Who checked it (accountId); null when unchecked or when the site hides it. */
  checkedBy: string | null;
  checkedAt: string | null;
  version: number;
}

/**
 * Whether Jira has the issue's checklist progress (its issue property, which JQL searches):
 *   synced  — nothing waits to be written for this issue, and Jira is not limiting the site;
 *   pending — a change is saved and its write to Jira waits its turn (a short coalescing delay,
 *             or a retry after a failure);
 *   limited — Jira is limiting the app's requests (`limit`: the site's quota, the app's pool
 *             across sites, or this issue's writes) until about `until` (ISO 8601); `pending`
 *             says whether a change of this issue is saved and waits to sync. Nothing is lost:
 *             the write is sent after the reset.
 */
export type SyncState =
  | { state: 'synced' }
  | { state: 'pending' }
  | { state: 'limited'; until: string; limit: 'site' | 'app' | 'issue' | 'burst'; pending: boolean };

export interface ChecklistDto {
  issueId: string;
  /** False when an admin turned checklists off for this issue's project. */
  enabled: boolean;
  items: ItemDto[];
  /**
   * Display names of the people in `checkedBy`: null when the product says the account is
   * gone; no key when the name could not be had now (then `degraded` lists 'people').
   */
  people: Record<string, string | null>;
  /** Live product data this answer is missing (absent when complete). */
  degraded?: DegradedPart[];
  showCheckedBy: boolean;
  /** True when this response created the checklist from the site's default template. */
  templateApplied: boolean;
  /** Whether Jira has the checklist's progress yet (see SyncState). */
  sync: SyncState;
}
