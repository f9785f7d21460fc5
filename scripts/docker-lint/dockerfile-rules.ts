import { DockerfileParser, type Dockerfile, type From, type Instruction, type JSONInstruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

/**
 * A Dockerfile linter in the spirit of hadolint (which cannot be installed here): dockerfile-utils'
 * `validate()` for what Docker itself would refuse, plus the rules below, named after their
 * hadolint codes where hadolint has one (https://github.com/hadolint/hadolint#rules) and `DCL…`
 * where it does not.
 */

export interface Finding {
  code: string;
  /** 1-based, as editors and `file:line` show it. */
  line: number;
  message: string;
}

interface Stage {
  from: From;
  /** FROM … AS <name>, lower-cased (Docker's stage names are case-insensitive). */
  name: string | null;
  instructions: Instruction[];
}

interface Context {
  dockerfile: Dockerfile;
  stages: Stage[];
}

export interface Rule {
  code: string;
  title: string;
  check(ctx: Context): Finding[];
}

const lineOf = (i: Instruction) => i.getRange().start.line + 1;
const finding = (code: string, i: Instruction, message: string): Finding => ({ code, line: lineOf(i), message });
const keyword = (i: Instruction) => i.getKeyword().toUpperCase();

function stagesOf(dockerfile: Dockerfile): Stage[] {
  const stages: Stage[] = [];
  for (const i of dockerfile.getInstructions()) {
    if (keyword(i) === 'FROM') {
      const from = i as From;
      stages.push({ from, name: from.getBuildStage()?.toLowerCase() ?? null, instructions: [] });
    } else stages.at(-1)?.instructions.push(i);
  }
  return stages;
}

/** The shell commands of a RUN (shell form), split on the operators that chain them. */
function commandsOf(run: Instruction): string[][] {
  const text = (run.getArgumentsContent() ?? '').replace(/\\\n/g, ' ');
  return text
    .split(/&&|\|\||;|\|/)
    .map((c) => c.trim().split(/\s+/).filter(Boolean))
    .filter((c) => c.length > 0);
}

const runs = (ctx: Context) => ctx.stages.flatMap((s) => s.instructions.filter((i) => keyword(i) === 'RUN'));
function isAptInstall(cmd: string[]): boolean {
  const at = cmd.findIndex((t) => t === 'apt-get' || t === 'apt');
  return at >= 0 && cmd.slice(at + 1).includes('install');
}
/** The image a FROM names, unless it is an earlier stage, `scratch` or built from a variable. */
function baseImage(ctx: Context, stage: Stage): string | null {
  const image = stage.from.getImageName();
  if (!image || image.includes('$') || image === 'scratch') return null;
  const earlier = ctx.stages.slice(0, ctx.stages.indexOf(stage)).map((s) => s.name);
  return earlier.includes(image.toLowerCase()) ? null : image;
}

export const rules: Rule[] = [
  {
    code: 'DL3006',
    title: 'Always tag the version of an image explicitly',
    check: (ctx) =>
      ctx.stages
        .filter((s) => baseImage(ctx, s) && !s.from.getImageTag() && !s.from.getImageDigest())
        .map((s) => finding('DL3006', s.from, `base image ${s.from.getImageName()} has no tag: pin its version (e.g. node:20.20.2-bookworm-slim)`)),
  },
  {
    code: 'DL3007',
    title: 'Using latest is prone to errors',
    check: (ctx) =>
      ctx.stages
        .filter((s) => baseImage(ctx, s) && s.from.getImageTag() === 'latest')
        .map((s) => finding('DL3007', s.from, `base image ${s.from.getImageName()}:latest: pin a version instead`)),
  },
  {
    code: 'DL3002',
    title: 'Last USER should not be root',
    check: (ctx) => {
      const last = ctx.stages.at(-1)?.instructions.filter((i) => keyword(i) === 'USER').at(-1);
      const user = last?.getArgumentsContent()?.trim().split(':')[0];
      return last && (user === 'root' || user === '0') ? [finding('DL3002', last, 'the final stage runs as root: switch to an unprivileged USER last')] : [];
    },
  },
  {
    code: 'DCL001',
    title: 'The final stage sets a USER',
    check: (ctx) => {
      const final = ctx.stages.at(-1);
      return final && !final.instructions.some((i) => keyword(i) === 'USER')
        ? [finding('DCL001', final.from, 'the final stage has no USER, so the container runs as root')]
        : [];
    },
  },
  {
    code: 'DL3057',
    title: 'HEALTHCHECK instruction missing',
    check: (ctx) => {
      const final = ctx.stages.at(-1);
      const hc = final?.instructions.filter((i) => keyword(i) === 'HEALTHCHECK') ?? [];
      const checks = hc.filter((i) => (i.getArgumentsContent() ?? '').trim().toUpperCase() !== 'NONE');
      return final && checks.length === 0 ? [finding('DL3057', final.from, 'the final stage has no HEALTHCHECK')] : [];
    },
  },
  {
    code: 'DL3025',
    title: 'Use arguments JSON notation for CMD and ENTRYPOINT arguments',
    check: (ctx) =>
      ctx.stages
        .flatMap((s) => s.instructions)
        .filter((i) => (keyword(i) === 'CMD' || keyword(i) === 'ENTRYPOINT') && (i as JSONInstruction).getJSONStrings().length === 0)
        .map((i) => finding('DL3025', i, `${keyword(i)} in shell form: use the exec form (["executable", "arg"]) so the process receives signals`)),
  },
  {
    code: 'DL3020',
    title: 'Use COPY instead of ADD for files and folders',
    check: (ctx) =>
      ctx.stages
        .flatMap((s) => s.instructions)
        .filter((i) => keyword(i) === 'ADD')
        .filter((i) => {
          const sources = i.getArguments().map((a) => a.getValue()).filter((v) => !v.startsWith('--')).slice(0, -1);
          return sources.some((src) => !/^(https?:\/\/|git@)/.test(src) && !/\.(tar|tar\.\w+|tgz|tbz2?|txz)$/.test(src));
        })
        .map((i) => finding('DL3020', i, 'ADD of local files: use COPY (ADD is for URLs and archives)')),
  },
  {
    code: 'DL3015',
    title: 'Avoid additional packages by specifying --no-install-recommends',
    check: (ctx) =>
      runs(ctx)
        .filter((r) => commandsOf(r).some((c) => isAptInstall(c) && !c.includes('--no-install-recommends') && !c.some((a) => /Install-Recommends=(false|0)/.test(a))))
        .map((r) => finding('DL3015', r, 'apt-get install without --no-install-recommends')),
  },
  {
    code: 'DL3009',
    title: 'Delete the apt-get lists after installing something',
    check: (ctx) =>
      runs(ctx)
        .filter((r) => commandsOf(r).some(isAptInstall) && !/rm\s+-(rf|fr|r)\s+\/var\/lib\/apt\/lists/.test(r.getArgumentsContent() ?? ''))
        .map((r) => finding('DL3009', r, 'apt-get install without removing /var/lib/apt/lists/* in the same RUN')),
  },
  {
    code: 'DCL002',
    title: 'Install the locked dependencies with npm ci',
    check: (ctx) =>
      runs(ctx)
        .filter((r) =>
          commandsOf(r).some((c) => {
            const at = c.indexOf('npm');
            if (at < 0 || !['install', 'i', 'add'].includes(c[at + 1] ?? '')) return false;
            // `npm install <pkg>` adds a named package (hadolint's DL3016 asks to pin it); without one it installs the project.
            return c.slice(at + 2).every((a) => a.startsWith('-'));
          }),
        )
        .map((r) => finding('DCL002', r, 'npm install of the project: use npm ci (exactly the lockfile, fails if it is out of date)')),
  },
  {
    code: 'DL3000',
    title: 'Use absolute WORKDIR',
    check: (ctx) =>
      ctx.stages
        .flatMap((s) => s.instructions)
        .filter((i) => keyword(i) === 'WORKDIR')
        .filter((i) => {
          const dir = (i.getArgumentsContent() ?? '').trim().replace(/^["']|["']$/g, '');
          return !dir.startsWith('/') && !dir.startsWith('$') && !/^[A-Za-z]:[\\/]/.test(dir);
        })
        .map((i) => finding('DL3000', i, 'relative WORKDIR: use an absolute path')),
  },
];

/** Every finding for a Dockerfile's text: dockerfile-utils' validation first, then the rules, by line. */
export function lintDockerfile(text: string): Finding[] {
  const syntax: Finding[] = validate(text).map((d) => ({ code: `dockerfile-utils:${String(d.code)}`, line: d.range.start.line + 1, message: typeof d.message === 'string' ? d.message : d.message.value }));
  const dockerfile = DockerfileParser.parse(text);
  const ctx: Context = { dockerfile, stages: stagesOf(dockerfile) };
  const own = ctx.stages.length ? rules.flatMap((r) => r.check(ctx)) : [];
  return [...syntax, ...own].sort((a, b) => a.line - b.line || a.code.localeCompare(b.code));
}
