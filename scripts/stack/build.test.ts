import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildInputs, buildSpec, buildState, ensureBuild, type Builder } from './build';

/** Build-if-stale on a scratch tree, with a recording builder standing in for `next build`. */

let root: string;
const write = (rel: string, text: string) => {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
};

/** Writes BUILD_ID as `next build` does, after `ms`; counts its calls. */
function fakeBuilder(ms = 0): Builder & { calls: number } {
  const b = Object.assign(
    async (r: string, spec: { distDir: string }) => {
      b.calls++;
      await new Promise((res) => setTimeout(res, ms));
      mkdirSync(path.join(r, spec.distDir), { recursive: true });
      writeFileSync(path.join(r, spec.distDir, 'BUILD_ID'), 'x');
    },
    { calls: 0 },
  );
  return b;
}

const quiet = { log: () => undefined };

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'stack-build-'));
  for (const f of ['app/page.tsx', 'lib/a.ts', 'components/b.tsx', 'prisma/schema.prisma', 'public/icon.svg', 'instrumentation.ts', 'next.config.js', 'package.json', 'package-lock.json', 'tsconfig.json', '.env']) write(f, f);
  for (const f of ['emulator/x.ts', 'e2e/y.ts', 'test/z.ts', 'bench/app/twin.ts', 'bench/run.ts', 'scripts/s.ts', 'docs/d.md', 'README.md', '.git/HEAD', '.tmp/t', 'lib/a.test.ts', 'next-env.d.ts', 'tsconfig.tsbuildinfo', 'node_modules/m/index.js', 'lib/connect/dist/index.js']) write(f, f);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('what the build reads', () => {
  it('is every source folder and config file, and none of the tooling, tests or outputs', () => {
    expect(buildInputs(root, 'app')).toEqual(
      ['.env', 'app/page.tsx', 'components/b.tsx', 'instrumentation.ts', 'lib/a.ts', 'next.config.js', 'package-lock.json', 'package.json', 'prisma/schema.prisma', 'public/icon.svg', 'tsconfig.json'].sort(),
    );
    expect(buildInputs(root, 'bench')).toContain('bench/app/twin.ts');
    expect(buildInputs(root, 'bench')).not.toContain('bench/run.ts');
  });

  it('counts a new top-level source folder without being told', () => {
    write('styles/site.css', 'body{}');
    expect(buildInputs(root, 'app')).toContain('styles/site.css');
  });
});

describe('ensureBuild', () => {
  it('builds when there is no build, then not again until a source changes', async () => {
    const builder = fakeBuilder();
    const spec = buildSpec('app');
    expect(buildState(root, spec)).toBe('missing');
    expect((await ensureBuild({ root, builder, mode: 'auto', ...quiet })).built).toBe(true);
    expect(buildState(root, spec)).toBe('fresh');
    expect((await ensureBuild({ root, builder, mode: 'auto', ...quiet })).built).toBe(false);
    expect(builder.calls).toBe(1);
  });

  it.each([
    ['a UI component changes', () => write('components/b.tsx', 'changed')],
    ['a route is deleted', () => rmSync(path.join(root, 'app/page.tsx'))],
    ['a file is added', () => write('lib/new.ts', 'new')],
    ['the lockfile changes', () => write('package-lock.json', '{}')],
    ['.env changes', () => write('.env', 'A=1')],
  ])('rebuilds when %s', async (_what, change) => {
    const builder = fakeBuilder();
    await ensureBuild({ root, builder, mode: 'auto', ...quiet });
    change();
    expect(buildState(root, buildSpec('app'))).toBe('stale');
    await ensureBuild({ root, builder, mode: 'auto', ...quiet });
    expect(builder.calls).toBe(2);
  });

  it.each([
    ['a test file changes', () => write('lib/a.test.ts', 'changed')],
    ['the emulator changes', () => write('emulator/x.ts', 'changed')],
    ['a bench runner changes', () => write('bench/run.ts', 'changed')],
    ['a source is only touched', () => utimesSync(path.join(root, 'lib/a.ts'), new Date(), new Date(Date.now() + 60_000))],
  ])('does not rebuild when %s', async (_what, change) => {
    const builder = fakeBuilder();
    await ensureBuild({ root, builder, mode: 'auto', ...quiet });
    change();
    await ensureBuild({ root, builder, mode: 'auto', ...quiet });
    expect(builder.calls).toBe(1);
  });

  it('keeps the bench build apart: its own dist dir, and bench/app counts for it only', async () => {
    const builder = fakeBuilder();
    await ensureBuild({ root, builder, kind: 'app', mode: 'auto', ...quiet });
    await ensureBuild({ root, builder, kind: 'bench', mode: 'auto', ...quiet });
    write('bench/app/twin.ts', 'changed');
    expect(buildState(root, buildSpec('app'))).toBe('fresh');
    expect(buildState(root, buildSpec('bench'))).toBe('stale');
    expect(buildSpec('bench').distDir).not.toBe(buildSpec('app').distDir);
    expect(buildSpec('bench').env).toEqual({ BENCH_BUILD: '1' });
  });

  it('builds once for callers that arrive together (the others wait on the lock)', async () => {
    const builder = fakeBuilder(300);
    const results = await Promise.all([1, 2, 3].map(() => ensureBuild({ root, builder, mode: 'auto', ...quiet })));
    expect(builder.calls).toBe(1);
    expect(results.filter((r) => r.built)).toHaveLength(1);
  });

  it('takes over a lock left by a process that died', async () => {
    const spec = buildSpec('app');
    mkdirSync(path.join(root, `${spec.distDir}.lock`), { recursive: true });
    writeFileSync(path.join(root, `${spec.distDir}.lock`, 'owner'), '2147483646');
    const builder = fakeBuilder();
    expect((await ensureBuild({ root, builder, mode: 'auto', ...quiet })).built).toBe(true);
  });

  it('stays stale when a source changes during the build', async () => {
    const builder: Builder = async (r, spec) => {
      await fakeBuilder()(r, spec);
      write('lib/a.ts', 'edited while building');
    };
    await ensureBuild({ root, builder, mode: 'auto', ...quiet });
    expect(buildState(root, buildSpec('app'))).toBe('stale');
  });

  it("'never' uses what is there and refuses when nothing is", async () => {
    await expect(ensureBuild({ root, builder: fakeBuilder(), mode: 'never', ...quiet })).rejects.toThrow(/no build/);
    await ensureBuild({ root, builder: fakeBuilder(), mode: 'auto', ...quiet });
    write('lib/a.ts', 'changed');
    expect((await ensureBuild({ root, builder: fakeBuilder(), mode: 'never', ...quiet })).built).toBe(false);
  });
});
