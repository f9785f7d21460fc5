import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { stringify } from 'yaml';
import { FORGE_TOKEN_SCOPES, type ForgeManifest } from './manifest';

/**
 * Tooling side of the manifest (the CLI and tests; never imported by the server): validation
 * against the JSON schema that Atlassian ships in `@forge/manifest` (the one `forge lint` and
 * `forge deploy` use), with the Ajv options that package uses itself, and YAML output.
 */

const require = createRequire(import.meta.url);
const addFormats = ((addFormatsPlugin as unknown as { default?: unknown }).default ?? addFormatsPlugin) as (a: Ajv) => void;
let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (compiled) return compiled;
  const schema = JSON.parse(readFileSync(require.resolve('@forge/manifest/schema.json'), 'utf8')) as object;
  // Same options and vocabulary as @forge/manifest's own SchemaValidator (out/validators/schema-validator.js).
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addVocabulary(['defaultValue', 'fieldDescription', 'fieldTitle', 'shortClassName']);
  compiled = ajv.compile(schema);
  return compiled;
}

export interface SchemaResult {
  valid: boolean;
  errors: string[];
}

/**
 * Validates a manifest object against `@forge/manifest/schema.json`, plus what the schema cannot
 * say: an endpoint asking for a product token needs the matching scope, or Forge sends none
 * (https://developer.atlassian.com/platform/forge/remote/calling-from-frontend/).
 */
export function validateForgeManifest(manifest: unknown): SchemaResult {
  const validate = validator();
  const schemaValid = validate(manifest) as boolean;
  const errors = (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
  errors.push(...tokenScopeErrors(manifest));
  return { valid: schemaValid && errors.length === 0, errors };
}

function tokenScopeErrors(manifest: unknown): string[] {
  const m = manifest as Partial<ForgeManifest> | null;
  const scopes = new Set(m?.permissions?.scopes ?? []);
  const out: string[] = [];
  (m?.modules?.endpoint ?? []).forEach((e, i) => {
    if (e.auth?.appSystemToken?.enabled && !scopes.has(FORGE_TOKEN_SCOPES.system)) out.push(`/modules/endpoint/${i} asks for appSystemToken without the ${FORGE_TOKEN_SCOPES.system} scope`);
    if (e.auth?.appUserToken?.enabled && !scopes.has(FORGE_TOKEN_SCOPES.user)) out.push(`/modules/endpoint/${i} asks for appUserToken without the ${FORGE_TOKEN_SCOPES.user} scope`);
  });
  return out;
}

/** The path of a file inside the installed `@forge/manifest` package (for tests and the CLI). */
export function forgeManifestPackageFile(relative: string): string {
  return require.resolve('@forge/manifest').replace(/index\.js$/, relative);
}

export function renderManifestYaml(manifest: ForgeManifest, header: string[] = []): string {
  const comments = header.map((l) => `# ${l}\n`).join('');
  return comments + stringify(manifest, { lineWidth: 0, aliasDuplicateObjects: false });
}
