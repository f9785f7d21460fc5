import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');

describe('the Prisma schema', () => {
  it("includes the framework's models unchanged (atlassian-connect-next/prisma is typed against them)", () => {
    const framework = readFileSync(path.join(root, 'lib/connect/prisma/connect.prisma'), 'utf8');
    const app = readFileSync(path.join(root, 'prisma/schema/connect.prisma'), 'utf8');
    expect(app).toBe(framework);
  });

  it('creates a table for every model of the framework in the migrations', () => {
    const framework = readFileSync(path.join(root, 'lib/connect/prisma/connect.prisma'), 'utf8');
    const models = [...framework.matchAll(/^model (\w+) \{/gm)].map((m) => m[1]!);
    const dir = path.join(root, 'prisma/migrations');
    const sql = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => readFileSync(path.join(dir, e.name, 'migration.sql'), 'utf8'))
      .join('\n');
    expect(models.length).toBeGreaterThan(0);
    for (const model of models) expect(sql, model).toContain(`CREATE TABLE "${model}"`);
  });
});
