import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { lintDockerfile, rules } from './dockerfile-rules';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Passes every rule; each case below breaks exactly one thing in it. */
const GOOD = `FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
FROM node:20.20.2-bookworm-slim
RUN apt-get update \\
 && apt-get install -y --no-install-recommends ca-certificates \\
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app
USER node
EXPOSE 3000
HEALTHCHECK CMD ["node", "-e", "process.exit(0)"]
CMD ["node", "app.js"]
`;

const cases: [code: string, from: string, to: string][] = [
  ['DL3006', 'FROM node:20.20.2-bookworm-slim AS build', 'FROM node AS build'],
  ['DL3007', 'FROM node:20.20.2-bookworm-slim AS build', 'FROM node:latest AS build'],
  ['DL3002', 'USER node\n', 'USER node\nUSER root:root\n'],
  ['DCL001', 'USER node\n', ''],
  ['DL3057', 'HEALTHCHECK CMD ["node", "-e", "process.exit(0)"]', 'HEALTHCHECK NONE'],
  ['DL3025', 'CMD ["node", "app.js"]', 'CMD node app.js'],
  ['DL3020', 'COPY package.json', 'ADD package.json'],
  ['DL3015', ' --no-install-recommends', ''],
  ['DL3009', ' \\\n && rm -rf /var/lib/apt/lists/*', ''],
  ['DCL002', 'npm ci', 'npm install --omit=dev'],
  ['DL3000', 'WORKDIR /app\nCOPY --from', 'WORKDIR app\nCOPY --from'],
];

const ownCodes = (text: string) => lintDockerfile(text).filter((f) => !f.code.startsWith('dockerfile-utils')).map((f) => f.code);

describe('the Dockerfile rules', () => {
  it('find nothing in a Dockerfile that follows them', () => {
    expect(lintDockerfile(GOOD)).toEqual([]);
  });

  it.each(cases)('%s: finds the one thing broken', (code, from, to) => {
    expect(GOOD).toContain(from);
    const bad = GOOD.replace(from, to);
    expect(ownCodes(bad)).toEqual([code]);
    const found = lintDockerfile(bad).find((f) => f.code === code)!;
    // The finding points at the instruction that is wrong (or the final stage's FROM for a missing one).
    expect(bad.split('\n')[found.line - 1]).toMatch(/^(FROM|USER|HEALTHCHECK|CMD|ADD|RUN|WORKDIR)\b/);
  });

  it('have a case each', () => {
    expect(new Set(cases.map(([code]) => code))).toEqual(new Set(rules.map((r) => r.code)));
  });

  it('find an ENTRYPOINT in shell form and a root USER given by uid', () => {
    expect(ownCodes(GOOD.replace('CMD ["node", "app.js"]', 'ENTRYPOINT node app.js'))).toEqual(['DL3025']);
    expect(ownCodes(GOOD.replace('USER node', 'USER 0'))).toEqual(['DL3002']);
  });

  it('leave alone what the rules allow: earlier stages, URLs and archives in ADD, npm install of a named package', () => {
    const allowed = GOOD.replace('FROM node:20.20.2-bookworm-slim\n', 'FROM build AS check\nFROM node:20.20.2-bookworm-slim\nADD https://example.com/tool.tar.gz /opt/\nADD vendor.tgz /opt/\nRUN npm install -g npm@11.6.2\n');
    expect(lintDockerfile(allowed)).toEqual([]);
  });

  it('report what Docker itself would refuse (dockerfile-utils)', () => {
    const findings = lintDockerfile(GOOD.replace('EXPOSE 3000', 'EXPOSE http'));
    expect(findings).toEqual([expect.objectContaining({ code: expect.stringMatching(/^dockerfile-utils:/), line: 12 })]);
  });
});

describe("the repository's Dockerfile", () => {
  const text = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const dockerfile = DockerfileParser.parse(text);
  const froms = dockerfile.getFROMs();
  const finalStart = froms.at(-1)!.getRange().start.line;
  const final = dockerfile.getInstructions().filter((i) => i.getRange().start.line > finalStart);
  const args = (kw: string) => final.filter((i) => i.getKeyword() === kw).map((i) => i.getArgumentsContent() ?? '');

  it('has no findings', () => {
    expect(lintDockerfile(text)).toEqual([]);
  });

  it('builds in stages and ships only the standalone artifact', () => {
    expect(froms.map((f) => f.getBuildStage())).toEqual(['deps', 'build', 'runtime']);
    expect(text).toMatch(/^RUN .*npm ci$/m);
    expect(final.filter((i) => i.getKeyword() === 'COPY').map((i) => i.getTextContent())).toEqual(['COPY --from=build /app/.next/standalone ./']);
  });

  it('runs the app server as the unprivileged node user, in production, with the health check and SIGTERM', () => {
    expect(args('USER').at(-1)).toBe('node');
    expect(args('ENV').join(' ')).toMatch(/NODE_ENV=production/);
    expect(args('EXPOSE')).toEqual(['3000']);
    expect(args('HEALTHCHECK').join(' ')).toContain('/health');
    expect(args('STOPSIGNAL')).toEqual(['SIGTERM']);
    expect(args('CMD')).toEqual(['["node", "app-server.mjs"]']);
  });
});
