/**
 * Webhooks (exported from `atlassian-connect-next`): webhook subscriptions declared in the app definition (descriptor and
 * Forge manifest), deliveries acknowledged once recorded in the durable job queue, and handled
 * by a worker with retries; idempotent per delivery identifier.
 *
 * ```ts
 * const subs = [{ name: 'issue-deleted', event: 'jira:issue_deleted', excludeBody: true, query: { issueId: '${issue.id}' }, parse: ... }];
 * modules.webhooks = webhookModules(subs);                      // descriptor
 * defineWebhookJobs(queue, { subscriptions: subs, handlers });       // worker side
 * const { receive } = createWebhookReceiver({ subscriptions: subs, queue });
 * const POST = connect.withWebhookAuth(receive);                // the route of app/webhooks/[name]
 * ```
 */
export { webhookModules, WebhookPayloadError, DEFAULT_WEBHOOK_BASE_PATH, type WebhookSubscription, type WebhookDelivery, type WebhookModule } from './subscription';
export { createWebhookReceiver, defineWebhookJobs, type WebhookReceiverOptions, type WebhookJobsOptions, type WebhookHandlers, type WebhookHandlerContext, type WebhookJobPayload } from './receiver';
export { deliveryInfo, WEBHOOK_ID_HEADER, WEBHOOK_RETRY_HEADER, WEBHOOK_FLOW_HEADER, type DeliveryInfo } from './delivery';
