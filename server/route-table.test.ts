import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchRouteTable } from '@/bench/app/routes';
import { routeTable } from '@/lib/app/routes';

/**
 * The app server (server/main.ts) answers lib/app/routes.ts's routeTable before Next; Next's own
 * copy of those route files must then never run (it would build a second composition root). So
 * the table must list exactly the route files that take their handler from the route table, with
 * the same handler, and the bench twins likewise for the bench build.
 */
const ROOT = path.resolve(import.meta.dirname, '..');
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

function routeFiles(dir: string, suffix: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => path.basename(f) === suffix)
    .map((f) => path.join(dir, f));
}

/** app/(iframe)/panel/issue/route.ts → /panel/issue (route groups are not in the URL). */
const urlPath = (file: string) =>
  '/' +
  path
    .dirname(file)
    .split(path.sep)
    .slice(1)
    .filter((s) => !/^\(.*\)$/.test(s))
    .join('/');

async function exported(files: string[]) {
  const out: { method: string; path: string; handler: unknown }[] = [];
  for (const file of files) {
    const mod = (await import(path.join(ROOT, file))) as Record<string, unknown>;
    for (const method of METHODS) if (mod[method]) out.push({ method, path: urlPath(file), handler: mod[method] });
  }
  return out;
}

const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

describe('the app server answers exactly the route table', () => {
  it('lists every route file that takes its handler from lib/app/routes.ts, with that handler', async () => {
    const files = routeFiles('app', 'route.ts').filter((f) => readFileSync(path.join(ROOT, f), 'utf8').includes("from '@/lib/app/routes'"));
    const fromFiles = await exported(files);
    expect(fromFiles.map(key).sort()).toEqual(routeTable.map(key).sort());
    for (const r of fromFiles) expect(routeTable.find((t) => key(t) === key(r))!.handler, key(r)).toBe(r.handler);
  });

  it('leaves to Next only route files that need no composition root', () => {
    const others = routeFiles('app', 'route.ts').filter((f) => !readFileSync(path.join(ROOT, f), 'utf8').includes("from '@/lib/app/routes'"));
    for (const f of others) expect(readFileSync(path.join(ROOT, f), 'utf8'), f).not.toMatch(/lib\/app\/root|atlassian-connect-next/);
    expect(others.map(urlPath)).toEqual(['/i18n/[file]']);
  });

  it('lists the bench twins for the bench build', async () => {
    const fromFiles = await exported(routeFiles('app', 'route.bench.ts'));
    expect(fromFiles.map(key).sort()).toEqual(benchRouteTable.map(key).sort());
    for (const r of fromFiles) expect(benchRouteTable.find((t) => key(t) === key(r))!.handler, key(r)).toBe(r.handler);
  });
});
