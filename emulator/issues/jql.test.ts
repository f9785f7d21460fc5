import { describe, expect, it } from 'vitest';
import { compileJql, JqlError, type JqlField, type JqlIssue } from './jql';

const KEY = 'com.example.app.checklist';
const issue = (key: string, value: unknown, projectKey = key.split('-')[0]!): JqlIssue => ({ id: key, key, projectKey, projectId: '1', properties: value === undefined ? {} : { [KEY]: value } });
const prop = (path: string, type: JqlField['type']): JqlField => ({ type, get: (i) => (i.properties[KEY] as Record<string, unknown> | undefined)?.[path] });
const FIELDS: Record<string, JqlField> = {
  checklisttotal: prop('total', 'number'),
  checklistdone: prop('done', 'number'),
  checklistremaining: prop('remaining', 'number'),
  checklistcomplete: prop('complete', 'string'),
  [`issue.property[${KEY}].total`]: prop('total', 'number'),
  project: { type: 'string', get: (i) => i.projectKey },
  notes: prop('notes', 'text'),
};
const ISSUES = [
  issue('DEMO-1', { total: 3, done: 1, remaining: 2, complete: false, notes: 'Release steps' }),
  issue('DEMO-2', { total: 2, done: 2, remaining: 0, complete: true }),
  issue('OPS-1', { total: 0, done: 0, remaining: 0, complete: false }),
  issue('DEMO-3', undefined),
];
const search = (jql: string) => ISSUES.filter(compileJql(jql, (n) => FIELDS[n]).matches).map((i) => i.key);

describe('emulator JQL subset', () => {
  it('finds issues by property aliases', () => {
    expect(search('checklistRemaining > 0')).toEqual(['DEMO-1']);
    expect(search('checklistComplete = true')).toEqual(['DEMO-2']);
    expect(search('checklistComplete = false AND checklistTotal > 0')).toEqual(['DEMO-1']);
    expect(search('checklistDone >= 2 OR project = OPS')).toEqual(['DEMO-2', 'OPS-1']);
    expect(search(`issue.property[${KEY}].total = 3`)).toEqual(['DEMO-1']);
    expect(search('NOT (checklistTotal > 0) AND checklistTotal is not EMPTY AND project in (DEMO, OPS)')).toEqual(['OPS-1']);
    expect(search('notes ~ release')).toEqual(['DEMO-1']);
  });

  it('an issue without the property matches nothing but IS EMPTY', () => {
    expect(search('checklistTotal != 5')).toEqual(['DEMO-1', 'DEMO-2', 'OPS-1']);
    expect(search('checklistTotal is EMPTY')).toEqual(['DEMO-3']);
    expect(search('checklistTotal is not empty ORDER BY key DESC')).toEqual(['DEMO-1', 'DEMO-2', 'OPS-1']);
  });

  it('refuses what Jira refuses: comparing two fields, unknown fields, operators a type lacks', () => {
    expect(() => search('checklistDone < checklistTotal')).toThrow(/not a valid number for the field 'checklistDone'/);
    expect(() => search('checklistSize > 1')).toThrow(JqlError);
    expect(() => search('checklistComplete > true')).toThrow(/operator '>' is not supported/);
    expect(() => search('checklistTotal ~ 3')).toThrow(/operator '~' is not supported/);
    expect(() => search('checklistTotal >')).toThrow(/Expected a value/);
    expect(() => search('(checklistTotal > 1')).toThrow(/Expected '\)'/);
    expect(() => search('checklistTotal > 1 banana')).toThrow(/Unexpected 'banana'/);
  });
});
