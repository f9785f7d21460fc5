import type { AppDescriptor } from '../lib/descriptor';
import { ISSUES, projectByKeyOrId } from '../lib/directory';
import { compileJql, JqlError, type FieldType, type JqlField, type JqlIssue } from './jql';

/**
 * Issue entity properties as Jira keeps them (per site, per issue, per key; deleted with the
 * issue, kept when it moves), and JQL over the fields the installed app's `jiraEntityProperties`
 * module extracts. https://developer.atlassian.com/cloud/jira/platform/modules/entity-property/
 */

export const MAX_VALUE_CHARS = 32_768;

export class PropertyStore {
  /** clientKey → issueId → propertyKey → value */
  private readonly data = new Map<string, Map<string, Map<string, unknown>>>();
  /** Writes per site (for tests: "20 edits are one write"). */
  readonly writes: { at: string; clientKey: string; issueId: string; key: string; value: unknown }[] = [];

  private issue(clientKey: string, issueId: string, create: boolean): Map<string, unknown> | undefined {
    let site = this.data.get(clientKey);
    if (!site && create) this.data.set(clientKey, (site = new Map()));
    let props = site?.get(issueId);
    if (!props && create && site) site.set(issueId, (props = new Map()));
    return props;
  }

  /** Returns whether the property existed before (200) or was created (201). */
  set(clientKey: string, issueId: string, key: string, value: unknown): boolean {
    const props = this.issue(clientKey, issueId, true)!;
    const existed = props.has(key);
    props.set(key, structuredClone(value));
    this.writes.push({ at: new Date().toISOString(), clientKey, issueId, key, value: structuredClone(value) });
    if (this.writes.length > 2000) this.writes.splice(0, this.writes.length - 2000);
    return existed;
  }

  get(clientKey: string, issueId: string, key: string): unknown {
    return this.issue(clientKey, issueId, false)?.get(key);
  }

  keys(clientKey: string, issueId: string): string[] {
    return [...(this.issue(clientKey, issueId, false)?.keys() ?? [])];
  }

  delete(clientKey: string, issueId: string, key: string): boolean {
    return this.issue(clientKey, issueId, false)?.delete(key) ?? false;
  }

  all(clientKey: string, issueId: string): Record<string, unknown> {
    return Object.fromEntries(this.issue(clientKey, issueId, false) ?? []);
  }

  /** The issue was deleted: its properties go with it. */
  deleteIssue(clientKey: string, issueId: string): void {
    this.data.get(clientKey)?.delete(issueId);
  }

  clear(): void {
    this.data.clear();
    this.writes.length = 0;
  }
}

interface Extraction {
  propertyKey: string;
  objectName: string;
  type: FieldType;
  alias?: string;
}

/** The issue-property extractions the descriptor declares. */
export function extractions(d: AppDescriptor | undefined): Extraction[] {
  const modules = (d?.modules.jiraEntityProperties ?? []) as { entityType?: string; keyConfigurations?: { propertyKey?: string; extractions?: { objectName?: string; type?: string; alias?: string }[] }[] }[];
  const out: Extraction[] = [];
  for (const m of Array.isArray(modules) ? modules : [modules]) {
    if ((m.entityType ?? 'issue') !== 'issue') continue;
    for (const kc of m.keyConfigurations ?? []) {
      for (const x of kc.extractions ?? []) {
        if (!kc.propertyKey || !x.objectName || !['number', 'string', 'text', 'date', 'user'].includes(x.type ?? '')) continue;
        out.push({ propertyKey: kc.propertyKey, objectName: x.objectName, type: x.type as FieldType, alias: x.alias });
      }
    }
  }
  return out;
}

function at(value: unknown, path: string): unknown {
  let v = value;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

export interface SearchResult {
  issues: { id: string; key: string; projectKey: string }[];
}

/** Runs `jql` over the site's issues. Throws JqlError (answered 400, as Jira does). */
export function searchIssues(store: PropertyStore, clientKey: string, d: AppDescriptor | undefined, jql: string): SearchResult {
  const declared = extractions(d);
  const byName = new Map<string, JqlField>();
  for (const x of declared) {
    const field: JqlField = { type: x.type, get: (i) => at(i.properties[x.propertyKey], x.objectName) };
    byName.set(`issue.property[${x.propertyKey}].${x.objectName}`.toLowerCase(), field);
    if (x.alias) byName.set(x.alias.toLowerCase(), field);
  }
  byName.set('project', { type: 'string', get: (i) => i.projectKey });
  byName.set('key', { type: 'string', get: (i) => i.key });
  byName.set('issuekey', { type: 'string', get: (i) => i.key });
  const compiled = compileJql(jql, (name) => byName.get(name));
  const issues: JqlIssue[] = ISSUES.map((i) => ({
    id: i.id,
    key: i.key,
    projectKey: i.projectKey,
    projectId: projectByKeyOrId(i.projectKey)?.id ?? '',
    properties: store.all(clientKey, i.id),
  }));
  const found = issues.filter(compiled.matches);
  const keyNum = (k: string) => Number(k.split('-')[1] ?? 0);
  found.sort((a, b) => a.projectKey.localeCompare(b.projectKey) || keyNum(a.key) - keyNum(b.key));
  if (compiled.orderBy?.desc) found.reverse();
  return { issues: found.map((i) => ({ id: i.id, key: i.key, projectKey: i.projectKey })) };
}

export { JqlError };
