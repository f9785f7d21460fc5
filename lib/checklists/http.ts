import 'server-only';
import { z } from 'zod';
import { jsonResponse, type ConnectContext, type RouteParams } from 'atlassian-connect-next';
import { parseOr422, readJson } from '@/lib/app/api/http';
import { createItemBody, itemIdParam, moveItemBody, updateItemBody } from './schema';
import type { ChecklistService } from './service';

/**
 * Handlers of /api/checklists/{issueId}/…: parse, call the service, answer JSON. The routes
 * declare `scope: 'issue'` (the token was issued on this issue) and, for writes, `writer`.
 */

const noStore = { 'Cache-Control': 'no-store' };
const versionQuery = z.coerce.number().int().min(1);

async function ids(route: RouteParams, withItem: boolean): Promise<{ issueId: string; itemId: string }> {
  const p = await route.params;
  // The issue id was checked against the token's scope by the route wrapper.
  const issueId = String(p.issueId);
  const itemId = withItem ? parseOr422(itemIdParam, p.itemId, 'item id') : '';
  return { issueId, itemId };
}

export function checklistHandlers(service: ChecklistService) {
  return {
    async get(_req: Request, ctx: ConnectContext, route: RouteParams): Promise<Response> {
      const { issueId } = await ids(route, false);
      // The project is where the token was issued (ctx.scope), never a query parameter.
      const dto = await service.getChecklist(ctx, issueId);
      return jsonResponse({ ...dto, readOnly: !ctx.license.licensed || !ctx.accountId, license: ctx.license }, { headers: noStore });
    },

    async create(req: Request, ctx: ConnectContext, route: RouteParams): Promise<Response> {
      const { issueId } = await ids(route, false);
      const body = await readJson(req, createItemBody);
      return jsonResponse(await service.addItem(ctx, issueId, body.text), { status: 201, headers: noStore });
    },

    async update(req: Request, ctx: ConnectContext, route: RouteParams): Promise<Response> {
      const { issueId, itemId } = await ids(route, true);
      const body = await readJson(req, updateItemBody);
      return jsonResponse(await service.changeItem(ctx, issueId, itemId, body), { headers: noStore });
    },

    async move(req: Request, ctx: ConnectContext, route: RouteParams): Promise<Response> {
      const { issueId, itemId } = await ids(route, true);
      const body = await readJson(req, moveItemBody);
      return jsonResponse(await service.moveItem(ctx, issueId, itemId, body.afterId), { headers: noStore });
    },

    async remove(req: Request, ctx: ConnectContext, route: RouteParams): Promise<Response> {
      const { issueId, itemId } = await ids(route, true);
      const version = parseOr422(versionQuery, new URL(req.url).searchParams.get('version') ?? undefined, 'version');
      await service.removeItem(ctx, issueId, itemId, version);
      return new Response(null, { status: 204, headers: noStore });
    },
  };
}
