import 'server-only';
import { randomUUID } from 'node:crypto';
import type { ChecklistItem, Prisma, PrismaClient } from '@/lib/generated/prisma/client';
import { ConnectError } from 'atlassian-connect-next';
import { positionBetween, renumbered } from './positions';
import { propertyValue, type ChecklistPropertyValue } from './issue-property';
import type { ChecklistReadCache } from './read-cache';

/**
 * Checklist items, one row each, scoped by (clientKey, issueId). Every function takes the
 * tenant first and every query filters on it, so an id guessed from another site matches
 * nothing. Writes that depend on the list as a whole (add, move, template) hold a per-issue
 * advisory lock; edits of one item are optimistic on its `version`.
 */

export type ItemRow = ChecklistItem;

/** 409 with the item as it is now, so the client can show the latest version. */
export class ItemConflictError extends ConnectError {
  constructor(readonly current: ItemRow) {
    super('CONFLICT', 'item version mismatch', { publicMessage: 'This item was changed by someone else' });
  }
}

function notFound(): ConnectError {
  return new ConnectError('NOT_FOUND', 'checklist item not found', { publicMessage: 'Checklist item not found' });
}

const ordered = [{ position: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }] satisfies Prisma.ChecklistItemOrderByWithRelationInput[];

async function withIssueLock<T>(prisma: PrismaClient, clientKey: string, issueId: string, fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return prisma.$transaction(async (tx) => {
    // Serialises list-shaped writes on one issue across instances (PostgreSQL) and requests.
    await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtextextended(${`${clientKey}\u0001${issueId}`}::text, 0))) AS l`;
    return fn(tx);
  });
}

export interface TenantDataSummary {
  issues: number;
  items: number;
  checked: number;
  usersWithPreferences: number;
}

export type ChecklistRepository = ReturnType<typeof createChecklistRepository>;

/**
 * Checklist items and states of every site; each function takes the tenant first. With a read
 * cache, the two reads of a panel (items, state) come from memory; every write here tells the
 * cache once it is done (the database announces it to the other instances).
 */
export function createChecklistRepository(prisma: PrismaClient, cache?: ChecklistReadCache) {
  async function listItems(clientKey: string, issueId: string): Promise<ItemRow[]> {
    const load = () => prisma.checklistItem.findMany({ where: { clientKey, issueId }, orderBy: ordered });
    return cache ? cache.read(clientKey, issueId, 'items', load) : load();
  }

  /** `write`, then the cached copy of the issue's checklist goes (also when the write failed: it may have committed). */
  const changing =
    <A extends [clientKey: string, issueId: string, ...rest: any[]], R>(write: (...args: A) => Promise<R>) => // eslint-disable-line @typescript-eslint/no-explicit-any
    async (...args: A): Promise<R> => {
      try {
        return await write(...args);
      } finally {
        cache?.changed(args[0], args[1]);
      }
    };

  /**
   * Marks the issue initialised and, only if this call did so, adds the template items. Two
   * people opening a new issue at once get one copy of the template, and an issue whose list
   * was emptied is never refilled.
   */
  async function initialiseFromTemplate(clientKey: string, issueId: string, texts: string[], by: string | undefined): Promise<boolean> {
    return withIssueLock(prisma, clientKey, issueId, async (tx) => {
      const marked = await tx.checklistState.createMany({ data: [{ clientKey, issueId }], skipDuplicates: true });
      if (marked.count === 0) return false;
      const positions = renumbered(texts.length);
      await tx.checklistItem.createMany({
        data: texts.map((text, i) => ({ id: randomUUID(), clientKey, issueId, text, position: positions[i]!, createdBy: by ?? null })),
      });
      return true;
    });
  }

  async function createItem(
    clientKey: string,
    issueId: string,
    input: { text: string; by: string | undefined; maxItems: number },
  ): Promise<ItemRow> {
    return withIssueLock(prisma, clientKey, issueId, async (tx) => {
      const count = await tx.checklistItem.count({ where: { clientKey, issueId } });
      if (count >= input.maxItems) {
        throw new ConnectError('VALIDATION_FAILED', 'checklist full', {
          publicMessage: `A checklist can hold at most ${input.maxItems} items`,
          issues: [{ path: 'items', message: `At most ${input.maxItems} items` }],
        });
      }
      const last = await tx.checklistItem.findFirst({ where: { clientKey, issueId }, orderBy: { position: 'desc' }, select: { position: true } });
      // Any first edit initialises the issue, so a template configured later never lands on it.
      await tx.checklistState.createMany({ data: [{ clientKey, issueId }], skipDuplicates: true });
      return tx.checklistItem.create({
        data: { id: randomUUID(), clientKey, issueId, text: input.text, position: positionBetween(last?.position, undefined)!, createdBy: input.by ?? null },
      });
    });
  }

  async function conflictOrMissing(clientKey: string, issueId: string, itemId: string): Promise<never> {
    const current = await prisma.checklistItem.findFirst({ where: { id: itemId, clientKey, issueId } });
    throw current ? new ItemConflictError(current) : notFound();
  }

  /** Changes text and/or checked state if the caller saw the current version. */
  async function updateItem(
    clientKey: string,
    issueId: string,
    itemId: string,
    input: { version: number; text?: string; checked?: boolean; by: string | undefined; now: Date },
  ): Promise<ItemRow> {
    const data: Prisma.ChecklistItemUpdateManyMutationInput = { version: { increment: 1 } };
    if (input.text !== undefined) data.text = input.text;
    if (input.checked !== undefined) {
      data.checked = input.checked;
      data.checkedBy = input.checked ? (input.by ?? null) : null;
      data.checkedAt = input.checked ? input.now : null;
    }
    const r = await prisma.checklistItem.updateMany({ where: { id: itemId, clientKey, issueId, version: input.version }, data });
    if (r.count === 0) return conflictOrMissing(clientKey, issueId, itemId);
    return (await prisma.checklistItem.findFirst({ where: { id: itemId, clientKey, issueId } })) ?? conflictOrMissing(clientKey, issueId, itemId);
  }

  /**
   * Moves an item after `afterId` (null: to the top). Only the moved row's position changes
   * (unless the list needs renumbering); its version does not, because a move composes with a
   * concurrent edit of the same item's text or state: neither should undo the other.
   */
  async function moveItem(clientKey: string, issueId: string, itemId: string, input: { afterId: string | null }): Promise<ItemRow> {
    if (input.afterId === itemId) throw new ConnectError('VALIDATION_FAILED', 'move after itself', { publicMessage: 'An item cannot move after itself' });
    return withIssueLock(prisma, clientKey, issueId, async (tx) => {
      let items = await tx.checklistItem.findMany({ where: { clientKey, issueId }, orderBy: ordered, select: { id: true, position: true } });
      if (!items.some((i) => i.id === itemId)) throw notFound();
      const target = (list: typeof items) => {
        const rest = list.filter((i) => i.id !== itemId);
        const at = input.afterId === null ? 0 : rest.findIndex((i) => i.id === input.afterId) + 1;
        if (at === 0 && input.afterId !== null) throw new ConnectError('VALIDATION_FAILED', 'afterId not on this checklist', { publicMessage: 'afterId is not an item of this checklist', issues: [{ path: 'afterId', message: 'Not on this checklist' }] });
        return positionBetween(rest[at - 1]?.position, rest[at]?.position);
      };
      let position = target(items);
      if (position === null) {
        // Out of room between two neighbours: spread the list out again. Positions are not
        // versioned content, so this does not conflict with anyone's pending edit.
        const spread = renumbered(items.length);
        for (const [i, item] of items.entries()) {
          await tx.checklistItem.updateMany({ where: { id: item.id, clientKey, issueId }, data: { position: spread[i]! } });
        }
        items = items.map((it, i) => ({ ...it, position: spread[i]! }));
        position = target(items)!;
      }
      await tx.checklistItem.updateMany({ where: { id: itemId, clientKey, issueId }, data: { position } });
      return (await tx.checklistItem.findFirst({ where: { id: itemId, clientKey, issueId } }))!;
    });
  }

  async function deleteItem(clientKey: string, issueId: string, itemId: string, version: number): Promise<void> {
    const r = await prisma.checklistItem.deleteMany({ where: { id: itemId, clientKey, issueId, version } });
    if (r.count === 0) await conflictOrMissing(clientKey, issueId, itemId);
  }

  /** What the app stores for one site, for the admin page. */
  async function tenantSummary(clientKey: string): Promise<TenantDataSummary> {
    const [issues, items, checked, usersWithPreferences] = await Promise.all([
      prisma.checklistState.count({ where: { clientKey } }),
      prisma.checklistItem.count({ where: { clientKey } }),
      prisma.checklistItem.count({ where: { clientKey, checked: true } }),
      prisma.userPreference.count({ where: { clientKey } }),
    ]);
    return { issues, items, checked, usersWithPreferences };
  }


  /**
   * Deletes an issue's checklist: items and state (the issue was deleted in Jira). Under the
   * issue's lock, so an add that raced the deletion cannot leave an item behind.
   */
  async function deleteIssueChecklist(clientKey: string, issueId: string): Promise<{ items: number; states: number }> {
    // Most deleted issues never had a checklist: one read, no transaction. Every write that adds
    // items creates the state row first, under the same lock.
    const state = await prisma.checklistState.findUnique({ where: { clientKey_issueId: { clientKey, issueId } }, select: { issueId: true } });
    if (!state) return { items: 0, states: 0 };
    return withIssueLock(prisma, clientKey, issueId, async (tx) => {
      const items = (await tx.checklistItem.deleteMany({ where: { clientKey, issueId } })).count;
      const states = (await tx.checklistState.deleteMany({ where: { clientKey, issueId } })).count;
      return { items, states };
    });
  }

  /**
   * Records the issue's project after a move, unless a newer move was recorded already (Jira may
   * deliver events late and out of order). Issues without a checklist are not recorded.
   */
  async function recordIssueProject(clientKey: string, issueId: string, move: { projectId: string; projectKey: string; at: Date }): Promise<boolean> {
    const r = await prisma.checklistState.updateMany({
      where: { clientKey, issueId, OR: [{ projectChangedAt: null }, { projectChangedAt: { lt: move.at } }] },
      data: { projectId: move.projectId, projectKey: move.projectKey, projectChangedAt: move.at },
    });
    return r.count === 1;
  }

  /** The issue's checklist state (null: never initialised) and its project as Jira last said (null: never moved). */
  async function issueState(clientKey: string, issueId: string): Promise<{ projectKey: string | null } | null> {
    const load = () => prisma.checklistState.findUnique({ where: { clientKey_issueId: { clientKey, issueId } }, select: { projectKey: true } });
    return cache ? cache.read(clientKey, issueId, 'state', load) : load();
  }

  /** Issues with a checklist, in pages (backfill, delete-all). */
  async function checklistIssues(clientKey: string, after: string | undefined, take: number): Promise<string[]> {
    const rows = await prisma.checklistState.findMany({
      where: { clientKey, ...(after !== undefined ? { issueId: { gt: after } } : {}) },
      orderBy: { issueId: 'asc' },
      take,
      select: { issueId: true },
    });
    return rows.map((r) => r.issueId);
  }

  /** The issue's progress as stored now (the property job reads it when it runs, so the last edit wins). */
  async function issueProgress(clientKey: string, issueId: string): Promise<ChecklistPropertyValue> {
    const [total, done] = await Promise.all([
      prisma.checklistItem.count({ where: { clientKey, issueId } }),
      prisma.checklistItem.count({ where: { clientKey, issueId, checked: true } }),
    ]);
    return propertyValue(total, done);
  }

  return {
    listItems,
    initialiseFromTemplate: changing(initialiseFromTemplate),
    createItem: changing(createItem),
    updateItem: changing(updateItem),
    moveItem: changing(moveItem),
    deleteItem: changing(deleteItem),
    tenantSummary,
    deleteIssueChecklist: changing(deleteIssueChecklist),
    recordIssueProject: changing(recordIssueProject),
    issueState,
    checklistIssues,
    issueProgress,
  };
}

