import { contextToken, pageUrl, readBootstrap, type Site } from '../../test/support/product';

/**
 * What bench:faults times, as the browser does it: the signed page request (the product's
 * iframe load), then the API reads the page's prefetch script starts with the session token
 * from the bootstrap. A render is "useful" once the data the page shows has arrived.
 */
export type Outcome = 'ok' | 'degraded' | `failed:${string}`;

export interface Timed {
  ms: number;
  outcome: Outcome;
}

/**
 * A row's measurements. Timings are of served renders only (`ok` and `degraded`): a render that
 * failed fast (a 401, a 500) would only flatter the percentiles; failures are counted instead.
 */
export interface Sample {
  /** Renders attempted. */
  n: number;
  /** Times of the served renders, ascending. */
  times: number[];
  failed: number;
  outcomes: Record<string, number>;
}

export const served = (o: Outcome | string): boolean => o === 'ok' || o === 'degraded';

/** Collects timed renders into a Sample. */
export function sampler(): { add: (r: Timed) => void; sample: () => Sample } {
  const times: number[] = [];
  const outcomes: Record<string, number> = {};
  let n = 0;
  let failed = 0;
  return {
    add: (r) => {
      n++;
      outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
      if (served(r.outcome)) times.push(r.ms);
      else failed++;
    },
    sample: () => ({ n, times: [...times].sort((a, b) => a - b), failed, outcomes }),
  };
}

export function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** Runs `n` timed renders, `concurrency` at a time (each worker sequential, like people opening issues). */
export async function drive(n: number, concurrency: number, one: (i: number) => Promise<Timed>): Promise<Sample> {
  const s = sampler();
  let next = 0;
  const worker = async () => {
    while (next < n) s.add(await one(next++));
  };
  await Promise.all(Array.from({ length: Math.min(n, concurrency) }, worker));
  return s.sample();
}

async function readJson(res: Response): Promise<{ status: number; body: { degraded?: string[] } | undefined }> {
  const text = await res.text();
  try {
    return { status: res.status, body: text ? (JSON.parse(text) as { degraded?: string[] }) : undefined };
  } catch {
    return { status: res.status, body: undefined };
  }
}

/** One page load plus its API reads; the clock starts before the page request and stops when all JSON has arrived. */
async function render(app: string, signedUrl: string, apis: string[]): Promise<Timed> {
  const t0 = performance.now();
  const page = await fetch(signedUrl);
  const html = await page.text();
  if (page.status !== 200) return { ms: performance.now() - t0, outcome: `failed:page ${page.status}` };
  const boot = readBootstrap(html);
  const headers = { authorization: `Bearer ${boot.sessionToken}`, 'x-connect-locale': boot.locale };
  const answers = await Promise.all(apis.map((p) => fetch(app + p, { headers, cache: 'no-store' }).then(readJson)));
  const ms = performance.now() - t0;
  const bad = answers.find((a) => a.status !== 200);
  if (bad) return { ms, outcome: `failed:api ${bad.status}` };
  return { ms, outcome: answers.some((a) => a.body?.degraded?.length) ? 'degraded' : 'ok' };
}

export const PROJECT = 'BEN';
const issueKey = (issueId: string) => `${PROJECT}-${issueId}`;

/** The issue panel of `issueId` for `accountId` (page JWT with qsh, lic, loc, tz), then its checklist and preferences. */
export async function renderPanel(app: string, site: Site, issueId: string, accountId: string): Promise<Timed> {
  const url = await pageUrl(app, site, '/panel/issue', {
    accountId,
    params: { issueId, issueKey: issueKey(issueId), projectKey: PROJECT, projectId: '10100', lic: 'active', loc: 'en-US', tz: 'Europe/Berlin' },
  });
  return render(app, url, [`/api/checklists/${issueId}?projectKey=${PROJECT}`, '/api/preferences']);
}

/** The admin page for `accountId`, then its overview and the data controls' summary. */
export async function renderAdmin(app: string, site: Site, accountId: string): Promise<Timed> {
  const url = await pageUrl(app, site, '/admin', { accountId, params: { lic: 'active', loc: 'en-US', tz: 'Europe/Berlin' } });
  return render(app, url, ['/api/settings', '/api/admin/data']);
}

/**
 * Seeds an issue's checklist: each of `checkers` adds an item and checks it, with context JWTs
 * of that issue (as AP.context.getToken() gives them).
 */
export async function seedIssue(app: string, site: Site, issueId: string, checkers: string[]): Promise<void> {
  for (const [n, accountId] of checkers.entries()) {
    const auth = `JWT ${await contextToken(site, accountId, { issueId })}`;
    const json = { authorization: auth, 'content-type': 'application/json' };
    const created = await fetch(`${app}/api/checklists/${issueId}/items`, { method: 'POST', headers: json, body: JSON.stringify({ text: `Step ${n + 1}` }) });
    if (created.status !== 201) throw new Error(`seed ${issueId}: POST ${created.status} ${await created.text()}`);
    const { item } = (await created.json()) as { item: { id: string; version: number } };
    const checked = await fetch(`${app}/api/checklists/${issueId}/items/${item.id}`, { method: 'PATCH', headers: json, body: JSON.stringify({ version: item.version, checked: true }) });
    if (checked.status !== 200) throw new Error(`seed ${issueId}: PATCH ${checked.status} ${await checked.text()}`);
  }
}
