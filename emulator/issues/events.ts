import { ISSUES, USERS, findIssue, projectByKeyOrId, projectOf, type EmuIssue } from '../lib/directory';
import type { Emulator } from '../lib/emulator';
import { userJson } from '../lib/rest';
import type { Site } from '../lib/state';
import { compileJql, type JqlIssue } from './jql';
import type { PropertyStore } from './properties';
import type { DeliveryRecord, IssueEvent, WebhookSender } from './webhooks';

/**
 * Deleting and moving issues on the emulated Jira site, with the webhooks Jira sends for them:
 * `jira:issue_deleted`, and `jira:issue_updated` (`issue_event_type_name: issue_moved`) whose
 * changelog names the `project` and `Key` changes. Payload shapes:
 * https://developer.atlassian.com/cloud/jira/platform/webhooks/#example-callback-for-an-issue-related-event
 */

export class IssueEventError extends Error {}

function issueBody(site: Site, issue: EmuIssue): Record<string, unknown> {
  const project = projectOf(issue);
  return {
    id: issue.id,
    self: `${site.baseUrl}/rest/api/2/issue/${issue.id}`,
    key: issue.key,
    fields: {
      summary: issue.summary,
      issuetype: { id: issue.type.id, name: issue.type.name },
      status: { name: issue.status },
      project: { id: project.id, key: project.key, name: project.name, self: `${site.baseUrl}/rest/api/2/project/${project.id}` },
    },
  };
}

function vars(issue: EmuIssue): Record<string, string> {
  const project = projectOf(issue);
  return { 'issue.id': issue.id, 'issue.key': issue.key, 'project.id': project.id, 'project.key': project.key };
}

function filterFor(issue: EmuIssue) {
  const subject: JqlIssue = { id: issue.id, key: issue.key, projectKey: issue.projectKey, projectId: projectOf(issue).id, properties: {} };
  return (jql: string) => {
    try {
      return compileJql(jql, (name) =>
        name === 'project' ? { type: 'string', get: (i) => i.projectKey } : name === 'key' || name === 'issuekey' ? { type: 'string', get: (i) => i.key } : undefined,
      ).matches(subject);
    } catch {
      return true; // a filter this subset cannot read is not ours to drop
    }
  };
}

function base(emu: Emulator, site: Site, event: string): Record<string, unknown> {
  const user = emu.actingUser() ?? USERS[0]!;
  return { timestamp: Date.now(), webhookEvent: event, user: userJson(site, user) };
}

export interface IssueChange {
  issue: { id: string; key: string; projectKey: string };
  from?: { key: string; projectKey: string };
  deliveries: DeliveryRecord[];
}

/** Deletes an issue (its properties go with it) and sends `jira:issue_deleted`. */
export async function deleteIssue(emu: Emulator, sender: WebhookSender, store: PropertyStore, keyOrId: string): Promise<IssueChange> {
  const issue = findIssue(keyOrId);
  if (!issue) throw new IssueEventError(`no issue ${keyOrId}`);
  const site = emu.site('jira');
  const ev: IssueEvent = { event: 'jira:issue_deleted', vars: vars(issue), body: { ...base(emu, site, 'jira:issue_deleted'), issue: issueBody(site, issue) }, matchesFilter: filterFor(issue) };
  ISSUES.splice(ISSUES.indexOf(issue), 1);
  store.deleteIssue(site.clientKey, issue.id);
  return { issue: { id: issue.id, key: issue.key, projectKey: issue.projectKey }, deliveries: await sender.send(site, ev) };
}

/** Moves an issue to another project (new key, same id) and sends `jira:issue_updated`. */
export async function moveIssue(emu: Emulator, sender: WebhookSender, keyOrId: string, projectKeyOrId: string): Promise<IssueChange> {
  const issue = findIssue(keyOrId);
  if (!issue) throw new IssueEventError(`no issue ${keyOrId}`);
  const to = projectByKeyOrId(projectKeyOrId);
  if (!to) throw new IssueEventError(`no project ${projectKeyOrId}`);
  const fromProject = projectOf(issue);
  if (to.key === fromProject.key) throw new IssueEventError(`${issue.key} is already in ${to.key}`);
  const from = { key: issue.key, projectKey: issue.projectKey };
  // Jira gives the issue the next number in its new project; keys are never reused.
  const next = 1 + Math.max(0, ...ISSUES.filter((i) => i.projectKey === to.key).map((i) => Number(i.key.split('-')[1])));
  issue.projectKey = to.key;
  issue.key = `${to.key}-${next}`;
  const site = emu.site('jira');
  const ev: IssueEvent = {
    event: 'jira:issue_updated',
    vars: vars(issue),
    body: {
      ...base(emu, site, 'jira:issue_updated'),
      issue_event_type_name: 'issue_moved',
      issue: issueBody(site, issue),
      changelog: {
        id: String(Date.now()),
        items: [
          { field: 'project', fieldtype: 'jira', fieldId: 'project', from: fromProject.id, fromString: fromProject.name, to: to.id, toString: to.name },
          { field: 'Key', fieldtype: 'jira', fieldId: 'issuekey', from: null, fromString: from.key, to: null, toString: issue.key },
        ],
      },
    },
    matchesFilter: filterFor(issue),
  };
  return { issue: { id: issue.id, key: issue.key, projectKey: issue.projectKey }, from, deliveries: await sender.send(site, ev) };
}
