import 'server-only';
import { z } from 'zod';
import type { RequestContext } from '@/lib/connect/auth';
import { ConnectError } from '@/lib/connect/errors';
import { conflict, parseOr422, readJson, requireWriter } from '@/lib/app/api/http';
import { productPort } from '@/lib/app/product';
import { ItemConflictError } from './repository';
import { createItemBody, issueIdParam, itemIdParam, moveItemBody, projectKeyParam, updateItemBody } from './schema';
import * as service from './service';

/** Handlers of /api/checklists/…: parse, check the writer, call the service, answer JSON. */

type Params = { params: Promise<Record<string, string | string[] | undefined>> };
const noStore = { 'Cache-Control': 'no-store' };

/**
 * The token must have been issued on this issue (panel session or context JWT of the issue
 * view): a user who can open one issue must not read or change another by guessing its id.
 */
function requireIssueScope(ctx: RequestContext, issueId: string): void {
  if (ctx.scope?.issueId !== issueId) {
    throw new ConnectError('FORBIDDEN', `token scope ${ctx.scope?.issueId ?? 'none'} is not issue ${issueId}`, {
      publicMessage: 'This token was not issued for this issue',
    });
  }
}

async function ids(ctx: RequestContext, route: Params, withItem: boolean): Promise<{ issueId: string; itemId: string }> {
  const p = await route.params;
  const issueId = parseOr422(issueIdParam, p.issueId, 'issue id');
  requireIssueScope(ctx, issueId);
  const itemId = withItem ? parseOr422(itemIdParam, p.itemId, 'item id') : '';
  return { issueId, itemId };
}

async function answerConflicts(ctx: RequestContext, work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ItemConflictError) return conflict('CONFLICT', err.publicMessage, await service.currentItemDto(ctx, err.current));
    throw err;
  }
}

export async function getChecklistHandler(req: Request, ctx: RequestContext, route: Params): Promise<Response> {
  const { issueId } = await ids(ctx, route, false);
  const raw = new URL(req.url).searchParams.get('projectKey');
  const projectKey = raw ? parseOr422(projectKeyParam, raw, 'project key') : undefined;
  const dto = await service.getChecklist(productPort(), ctx, issueId, projectKey);
  return Response.json({ ...dto, readOnly: !ctx.license.licensed || !ctx.accountId, license: ctx.license }, { headers: noStore });
}

export async function createItemHandler(req: Request, ctx: RequestContext, route: Params): Promise<Response> {
  const accountId = requireWriter(ctx);
  const { issueId } = await ids(ctx, route, false);
  const body = await readJson(req, createItemBody);
  return Response.json(await service.addItem(productPort(), ctx, accountId, issueId, body.text), { status: 201, headers: noStore });
}

export async function updateItemHandler(req: Request, ctx: RequestContext, route: Params): Promise<Response> {
  const accountId = requireWriter(ctx);
  const { issueId, itemId } = await ids(ctx, route, true);
  const body = await readJson(req, updateItemBody);
  return answerConflicts(ctx, async () => Response.json(await service.changeItem(productPort(), ctx, accountId, issueId, itemId, body), { headers: noStore }));
}

export async function moveItemHandler(req: Request, ctx: RequestContext, route: Params): Promise<Response> {
  requireWriter(ctx);
  const { issueId, itemId } = await ids(ctx, route, true);
  const body = await readJson(req, moveItemBody);
  return Response.json(await service.moveItem(productPort(), ctx, issueId, itemId, body.afterId), { headers: noStore });
}

const versionQuery = z.coerce.number().int().min(1);

export async function deleteItemHandler(req: Request, ctx: RequestContext, route: Params): Promise<Response> {
  requireWriter(ctx);
  const { issueId, itemId } = await ids(ctx, route, true);
  const version = parseOr422(versionQuery, new URL(req.url).searchParams.get('version') ?? undefined, 'version');
  return answerConflicts(ctx, async () => {
    await service.removeItem(ctx, issueId, itemId, version);
    return new Response(null, { status: 204, headers: noStore });
  });
}
