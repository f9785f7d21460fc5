import 'server-only';
import type { RequestContext } from '@/lib/connect/auth';
import type { ProductPort } from '@/lib/app/product';
import { settingsFor } from '@/lib/settings/service';
import { panelEnabledFor } from '@/lib/settings/schema';
import { CHECKLIST_LIMITS } from './limits';
import { renderBudgetMs } from '@/lib/app/render-budget';
import type { DegradedPart } from '@/lib/app/degraded';
import { lookupDisplayNames } from './people';
import { scheduleIssueProperty } from '@/lib/app/jobs';
import * as repo from './repository';
import type { ChecklistDto, ItemDto } from './schema';

/** The checklist use cases, on behalf of an authenticated caller; writers are checked by the caller (requireWriter). */

export function toItemDto(row: repo.ItemRow, showCheckedBy: boolean): ItemDto {
  return {
    id: row.id,
    text: row.text,
    checked: row.checked,
    checkedBy: showCheckedBy ? row.checkedBy : null,
    checkedAt: showCheckedBy && row.checkedAt ? row.checkedAt.toISOString() : null,
    version: row.version,
  };
}

/** Names of who checked the items, within the render budget; `degraded` says some could not be had. */
async function peopleOf(product: ProductPort, ctx: RequestContext, items: ItemDto[]): Promise<{ people: Record<string, string | null>; degraded?: DegradedPart[] }> {
  const ids = items.map((i) => i.checkedBy).filter((x): x is string => !!x);
  if (!ids.length) return { people: {} };
  const { names, incomplete } = await lookupDisplayNames(product, ctx.tenant, ids, renderBudgetMs());
  return incomplete ? { people: names, degraded: ['people'] } : { people: names };
}

export async function getChecklist(product: ProductPort, ctx: RequestContext, issueId: string, projectKey?: string): Promise<ChecklistDto> {
  const { settings } = await settingsFor(ctx.clientKey);
  const base = { issueId, showCheckedBy: settings.showCheckedBy, templateApplied: false };
  const wantsTemplate = settings.template.enabled && settings.template.items.length > 0 && ctx.license.licensed;
  const state = settings.projects.mode === 'listed' || wantsTemplate ? await repo.issueState(ctx.clientKey, issueId) : undefined;
  // After a move (jira:issue_updated), the project Jira reported wins over the one the page was
  // opened with: the admin's restriction follows the issue to its new project.
  if (!panelEnabledFor(settings, state?.projectKey ?? projectKey)) return { ...base, enabled: false, items: [], people: {} };
  let templateApplied = false;
  // Applying the template is a write: only with a license, and only once per issue.
  if (wantsTemplate && state === null) {
    templateApplied = await repo.initialiseFromTemplate(ctx.clientKey, issueId, settings.template.items, ctx.accountId);
    if (templateApplied) await scheduleIssueProperty(ctx.clientKey, issueId);
  }
  const items = (await repo.listItems(ctx.clientKey, issueId)).map((r) => toItemDto(r, settings.showCheckedBy));
  return { ...base, enabled: true, templateApplied, items, ...(await peopleOf(product, ctx, items)) };
}

export interface ItemResult {
  item: ItemDto;
  people: Record<string, string | null>;
  degraded?: DegradedPart[];
}

async function result(product: ProductPort, ctx: RequestContext, row: repo.ItemRow): Promise<ItemResult> {
  const { settings } = await settingsFor(ctx.clientKey);
  const item = toItemDto(row, settings.showCheckedBy);
  return { item, ...(await peopleOf(product, ctx, [item])) };
}

export async function addItem(product: ProductPort, ctx: RequestContext, accountId: string, issueId: string, text: string): Promise<ItemResult> {
  const row = await repo.createItem(ctx.clientKey, issueId, { text, by: accountId, maxItems: CHECKLIST_LIMITS.itemsPerChecklist });
  await scheduleIssueProperty(ctx.clientKey, issueId);
  return result(product, ctx, row);
}

export async function changeItem(
  product: ProductPort,
  ctx: RequestContext,
  accountId: string,
  issueId: string,
  itemId: string,
  change: { version: number; text?: string; checked?: boolean },
): Promise<ItemResult> {
  const row = await repo.updateItem(ctx.clientKey, issueId, itemId, { ...change, by: accountId, now: new Date() });
  // Only checking and unchecking change the counts the issue property holds.
  if (change.checked !== undefined) await scheduleIssueProperty(ctx.clientKey, issueId);
  return result(product, ctx, row);
}

export async function moveItem(product: ProductPort, ctx: RequestContext, issueId: string, itemId: string, afterId: string | null): Promise<ItemResult> {
  return result(product, ctx, await repo.moveItem(ctx.clientKey, issueId, itemId, { afterId }));
}

export async function removeItem(ctx: RequestContext, issueId: string, itemId: string, version: number): Promise<void> {
  await repo.deleteItem(ctx.clientKey, issueId, itemId, version);
  await scheduleIssueProperty(ctx.clientKey, issueId);
}

export async function currentItemDto(ctx: RequestContext, row: repo.ItemRow): Promise<ItemDto> {
  const { settings } = await settingsFor(ctx.clientKey);
  return toItemDto(row, settings.showCheckedBy);
}
