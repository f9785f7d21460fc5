/**
 * `npm run lint:docker`: the Dockerfile (dockerfile-utils' validation and our hadolint-style
 * rules, scripts/docker-lint/dockerfile-rules.ts) and compose.yaml with the HAProxy config it
 * mounts (scripts/docker-lint/compose-check.ts). Prints `file:line code message` per finding and
 * exits 1 when there is any.
 *   tsx scripts/lint-docker.ts [Dockerfile] [compose.yaml]
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { checkCompose } from './docker-lint/compose-check';
import { lintDockerfile } from './docker-lint/dockerfile-rules';

const root = path.resolve(__dirname, '..');
const dockerfile = path.resolve(root, process.argv[2] ?? 'Dockerfile');
const compose = path.resolve(root, process.argv[3] ?? 'compose.yaml');
const rel = (f: string) => path.relative(process.cwd(), f);

const lines: string[] = [];
for (const f of lintDockerfile(readFileSync(dockerfile, 'utf8'))) lines.push(`${rel(dockerfile)}:${f.line} ${f.code} ${f.message}`);
const readBeside = (p: string) => {
  const file = path.resolve(path.dirname(compose), p);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
};
for (const p of checkCompose(readFileSync(compose, 'utf8'), readBeside)) lines.push(`${rel(compose)}: ${p.service}: ${p.message}`);

for (const l of lines) console.log(l);
console.log(lines.length ? `${lines.length} problem(s)` : `${rel(dockerfile)} and ${rel(compose)}: no problems`);
process.exit(lines.length ? 1 : 0);
