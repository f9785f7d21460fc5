import 'server-only';
import { ConnectError, type CachedProductReads, type ConnectContext } from 'atlassian-connect-next';
import type { SettingsService } from '@/lib/settings/service';
import { panelEnabledFor } from '@/lib/settings/schema';
import type { DegradedPart } from '@/lib/app/degraded';
import { CHECKLIST_LIMITS } from './limits';
import { ItemConflictError, type ChecklistRepository, type ItemRow } from './repository';
import type { ChecklistDto, ItemDto, SyncState } from './schema';

/** The checklist use cases, on behalf of an authenticated caller (writers are checked by the route's policies). */

export function toItemDto(row: ItemRow, showCheckedBy: boolean): ItemDto {
  return {
    id: row.id,
    text: row.text,
    checked: row.checked,
    checkedBy: showCheckedBy ? row.checkedBy : null,
    checkedAt: showCheckedBy && row.checkedAt ? row.checkedAt.toISOString() : null,
    version: row.version,
  };
}

export interface ItemResult {
  item: ItemDto;
  people: Record<string, string | null>;
  degraded?: DegradedPart[];
  /** Whether Jira has the issue's checklist progress yet, after this change. */
  sync: SyncState;
}

export type ChecklistService = ReturnType<typeof createChecklistService>;

export interface ChecklistServiceDeps {
  repo: ChecklistRepository;
  settings: SettingsService;
  reads: CachedProductReads;
  /**
   * After a change to an issue's counts: the issue property in Jira is brought up to date in the
   * background (coalesced). Never fails the change.
   */
  progressChanged?: (clientKey: string, issueId: string) => Promise<void>;
  /** Whether Jira has the issue's progress yet, from the app's own records (lib/checklists/sync-state.ts). */
  syncState?: (clientKey: string, issueId: string) => Promise<SyncState>;
}

export function createChecklistService(d: ChecklistServiceDeps) {
  const { repo, settings, reads } = d;
  const progressChanged = d.progressChanged ?? (async () => {});
  const syncState = d.syncState ?? (async (): Promise<SyncState> => ({ state: 'synced' }));

  /** Names of who checked the items, within the render budget; `degraded` says some could not be had. */
  async function peopleOf(ctx: ConnectContext, items: ItemDto[]): Promise<{ people: Record<string, string | null>; degraded?: DegradedPart[] }> {
    const ids = items.map((i) => i.checkedBy).filter((x): x is string => !!x);
    if (!ids.length) return { people: {} };
    const { names, incomplete } = await reads.displayNames(ctx.clientKey, ids);
    return incomplete ? { people: names, degraded: ['people'] } : { people: names };
  }

  async function result(ctx: ConnectContext, issueId: string, row: ItemRow): Promise<ItemResult> {
    const { settings: s } = await settings.settingsFor(ctx.clientKey);
    const item = toItemDto(row, s.showCheckedBy);
    const [people, sync] = await Promise.all([peopleOf(ctx, [item]), syncState(ctx.clientKey, issueId)]);
    return { item, ...people, sync };
  }

  /** An item changed by someone else: 409 carrying the item as it is now (as this caller may see it). */
  async function conflicts<T>(ctx: ConnectContext, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof ItemConflictError)) throw err;
      const { settings: s } = await settings.settingsFor(ctx.clientKey);
      throw new ConnectError('CONFLICT', err.message, { publicMessage: err.publicMessage, details: { current: toItemDto(err.current, s.showCheckedBy) } });
    }
  }

  /**
   * The admin's project restriction applies to where the token was issued (the signed page URL
   * or the context JWT's claim), never to a project the client names: writes there are refused.
   * After a move (jira:issue_updated, signed by the product) the project Jira reported wins, so
   * the restriction follows the issue.
   */
  async function requireEnabled(ctx: ConnectContext, issueId: string): Promise<void> {
    const { settings: s } = await settings.settingsFor(ctx.clientKey);
    const projectKey = s.projects.mode === 'listed' ? ((await repo.issueState(ctx.clientKey, issueId))?.projectKey ?? ctx.scope?.projectKey) : ctx.scope?.projectKey;
    if (!panelEnabledFor(s, projectKey)) {
      throw new ConnectError('FORBIDDEN', `checklists off for project ${projectKey ?? '(none)'}`, { publicMessage: 'Checklists are turned off for this project' });
    }
  }

  return {
    async getChecklist(ctx: ConnectContext, issueId: string): Promise<ChecklistDto> {
      const { settings: s } = await settings.settingsFor(ctx.clientKey);
      const base = { issueId, showCheckedBy: s.showCheckedBy, templateApplied: false };
      const wantsTemplate = s.template.enabled && s.template.items.length > 0 && ctx.license.licensed;
      const state = s.projects.mode === 'listed' || wantsTemplate ? await repo.issueState(ctx.clientKey, issueId) : undefined;
      // After a move the project Jira reported wins over the one the token was issued for.
      if (!panelEnabledFor(s, state?.projectKey ?? ctx.scope?.projectKey)) return { ...base, enabled: false, items: [], people: {}, sync: await syncState(ctx.clientKey, issueId) };
      let templateApplied = false;
      // Applying the template is a write: only with a license, and only once per issue.
      if (wantsTemplate && state === null) {
        templateApplied = await repo.initialiseFromTemplate(ctx.clientKey, issueId, s.template.items, ctx.accountId);
        if (templateApplied) await progressChanged(ctx.clientKey, issueId);
      }
      const items = (await repo.listItems(ctx.clientKey, issueId)).map((r) => toItemDto(r, s.showCheckedBy));
      const [people, sync] = await Promise.all([peopleOf(ctx, items), syncState(ctx.clientKey, issueId)]);
      return { ...base, enabled: true, templateApplied, items, ...people, sync };
    },

    async addItem(ctx: ConnectContext, issueId: string, text: string): Promise<ItemResult> {
      await requireEnabled(ctx, issueId);
      const row = await repo.createItem(ctx.clientKey, issueId, { text, by: ctx.accountId, maxItems: CHECKLIST_LIMITS.itemsPerChecklist });
      await progressChanged(ctx.clientKey, issueId);
      return result(ctx, issueId, row);
    },

    async changeItem(ctx: ConnectContext, issueId: string, itemId: string, change: { version: number; text?: string; checked?: boolean }): Promise<ItemResult> {
      await requireEnabled(ctx, issueId);
      const row = await conflicts(ctx, () => repo.updateItem(ctx.clientKey, issueId, itemId, { ...change, by: ctx.accountId, now: new Date() }));
      // Only checking and unchecking change the counts the issue property holds.
      if (change.checked !== undefined) await progressChanged(ctx.clientKey, issueId);
      return result(ctx, issueId, row);
    },

    async moveItem(ctx: ConnectContext, issueId: string, itemId: string, afterId: string | null): Promise<ItemResult> {
      await requireEnabled(ctx, issueId);
      return result(ctx, issueId, await repo.moveItem(ctx.clientKey, issueId, itemId, { afterId }));
    },

    async removeItem(ctx: ConnectContext, issueId: string, itemId: string, version: number): Promise<void> {
      await requireEnabled(ctx, issueId);
      await conflicts(ctx, () => repo.deleteItem(ctx.clientKey, issueId, itemId, version));
      await progressChanged(ctx.clientKey, issueId);
    },

    summary: (clientKey: string) => repo.tenantSummary(clientKey),
  };
}
