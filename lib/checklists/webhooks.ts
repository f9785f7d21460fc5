import { z } from 'zod';
import { WebhookPayloadError, type WebhookSubscription } from 'atlassian-connect-next';
import { issueIdParam, projectKeyParam } from './schema';

/**
 * The Jira events the checklist app listens to, declared once for the descriptor, the Forge
 * manifest and the route (/webhooks/{name}). What a delivery keeps is only what the job needs:
 * ids, a project key and the event time, never the issue's text or who made the change.
 * https://developer.atlassian.com/cloud/jira/platform/webhooks/ (payloads: `timestamp`,
 * `webhookEvent`, `issue`, `changelog.items[]`), module fields:
 * https://developer.atlassian.com/cloud/jira/platform/modules/webhook/
 */

export interface IssueDeleted {
  issueId: string;
}

export interface IssueMoved {
  issueId: string;
  projectId: string;
  projectKey: string;
  /** The event's time (epoch ms): an older move delivered late does not overwrite a newer one. */
  at: number;
}

/** `jira:issue_deleted` without a body: the issue id comes as a URL variable the product fills in. */
export const issueDeletedWebhook: WebhookSubscription<IssueDeleted> = {
  name: 'issue-deleted',
  event: 'jira:issue_deleted',
  excludeBody: true,
  query: { issueId: '${issue.id}' },
  parse({ query }) {
    const id = issueIdParam.safeParse(query.get('issueId') ?? '');
    if (!id.success) throw new WebhookPayloadError('issueId is missing or not an issue id');
    return { issueId: id.data };
  },
};

const idString = z.union([z.string(), z.number().int().nonnegative()]).transform(String).pipe(z.string().regex(/^\d{1,18}$/));

const issueUpdatedBody = z.looseObject({
  timestamp: z.number().int().positive(),
  issue: z.looseObject({
    id: idString,
    fields: z.looseObject({ project: z.looseObject({ id: idString, key: projectKeyParam }).optional() }).optional(),
  }),
  changelog: z.looseObject({ items: z.array(z.looseObject({ field: z.string().optional(), fieldId: z.string().optional() })) }).optional(),
});

/** `jira:issue_updated`: only a move to another project needs work (its changelog names `project`). */
export const issueUpdatedWebhook: WebhookSubscription<IssueMoved> = {
  name: 'issue-updated',
  event: 'jira:issue_updated',
  parse({ body }) {
    const parsed = issueUpdatedBody.safeParse(body);
    if (!parsed.success) throw new WebhookPayloadError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const { timestamp, issue, changelog } = parsed.data;
    const moved = changelog?.items.some((i) => i.field === 'project' || i.fieldId === 'project');
    if (!moved) return null;
    const project = issue.fields?.project;
    if (!project) throw new WebhookPayloadError('a move without issue.fields.project');
    return { issueId: issue.id, projectId: project.id, projectKey: project.key, at: timestamp };
  },
};

export const CHECKLIST_WEBHOOKS = [issueDeletedWebhook, issueUpdatedWebhook] as const;
