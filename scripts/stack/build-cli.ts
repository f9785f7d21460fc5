/**
 * `npm run build:stack [-- --bench] [-- --force]`: the build the stack runs, made now (e.g. by
 * `npm test` before its suites) with the same staleness check, fingerprint and lock.
 */
import { parseArgs } from 'node:util';
import { ensureBuild } from './build';

const { values } = parseArgs({ options: { bench: { type: 'boolean', default: false }, force: { type: 'boolean', default: false } } });
ensureBuild({ kind: values.bench ? 'bench' : 'app', mode: values.force ? 'always' : undefined, log: (line) => console.log(line) }).then(
  ({ spec, built }) => {
    if (!built) console.log(`${spec.distDir} is up to date with the sources`);
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
