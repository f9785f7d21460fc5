import { describe, expect, it } from 'vitest';
import { createMetrics, metricsAuthorized } from './metrics';

const TOKEN = 'a-metrics-token-of-24-chars';

describe('metricsAuthorized', () => {
  it('accepts exactly the bearer token', () => {
    expect(metricsAuthorized(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(metricsAuthorized(`bearer ${TOKEN}`, TOKEN)).toBe(true);
  });

  it('refuses no header, another scheme, another token, a prefix or an extension of it', () => {
    for (const h of [null, '', TOKEN, `Basic ${TOKEN}`, 'Bearer other-token-of-24-chars', `Bearer ${TOKEN.slice(0, -1)}`, `Bearer ${TOKEN}x`, `Bearer ${TOKEN} extra`]) {
      expect(metricsAuthorized(h, TOKEN), String(h)).toBe(false);
    }
  });
});

describe('createMetrics', () => {
  it('exposes what was recorded, with bounded labels', async () => {
    const m = createMetrics();
    m.request({ method: 'GET', route: '/api/checklists/[issueId]', status: 200, seconds: 0.012 });
    m.lifecycle('installed', 204);
    m.lifecycle('installed', 401);
    m.lifecycle('a-made-up-event-name', 404);
    m.webhook(204);
    m.pageLoad('panel', 200);
    m.product.attempt!({ method: 'GET', status: 429, durationMs: 20 });
    m.product.attempt!({ method: 'PUT', error: 'timeout', durationMs: 5000 });
    m.product.retryWait!({ reason: 'jira-burst-based', status: 429, delayMs: 1500 });
    m.product.paced!({ limit: 'app', waitMs: 3_000_000, refused: true });
    m.product.paced!({ limit: 'burst', waitMs: 200, refused: false });
    m.dbQuery(3);
    m.job('issue-property', 'completed');
    m.rateLimitDeferral('issue-property', 'site');
    m.rateLimitDeferral('issue-property', 'site');
    m.rateLimitDeferral('issue-property', 'a-limit-nobody-knows');
    m.collectFrom({
      circuits: () => ({ open: 2, half_open: 1 }),
      pool: () => ({ total: 4, idle: 3, waiting: 0 }),
      queue: async () => ({ pending: 5, due: 2, running: 1, dead: 0, oldestPendingAgeMs: 42_000 }),
    });
    const text = await m.registry.metrics();
    for (const line of [
      'app_http_requests_total{route="/api/checklists/[issueId]",method="GET",status="200"} 1',
      'app_http_request_duration_seconds_count{route="/api/checklists/[issueId]",method="GET"} 1',
      'connect_lifecycle_callbacks_total{event="installed",outcome="success",status="204"} 1',
      'connect_lifecycle_callbacks_total{event="installed",outcome="rejected",status="401"} 1',
      'connect_lifecycle_callbacks_total{event="other",outcome="rejected",status="404"} 1',
      'connect_webhook_deliveries_total{outcome="success",status="204"} 1',
      'connect_page_loads_total{module="panel",outcome="success"} 1',
      'connect_product_calls_total{method="GET",status="429"} 1',
      'connect_product_calls_total{method="PUT",status="timeout"} 1',
      'connect_product_retry_waits_total{reason="jira-burst-based"} 1',
      'connect_product_retry_wait_seconds_total{reason="jira-burst-based"} 1.5',
      'connect_product_paced_total{limit="app",action="refused"} 1',
      'connect_product_paced_total{limit="burst",action="waited"} 1',
      'app_db_query_duration_seconds_count 1',
      'app_jobs_total{queue="issue-property",outcome="completed"} 1',
      'app_jobs_rate_limit_deferrals_total{queue="issue-property",limit="site"} 2',
      'app_jobs_rate_limit_deferrals_total{queue="issue-property",limit="other"} 1',
      'connect_product_circuits{state="open"} 2',
      'connect_product_circuits{state="half_open"} 1',
      'app_db_pool_connections{state="idle"} 3',
      'app_job_queue_jobs{status="pending"} 5',
      'app_job_queue_oldest_pending_age_seconds 42',
      'process_resident_memory_bytes',
    ]) {
      expect(text).toContain(line);
    }
    expect(text).not.toContain('a-made-up-event-name');
    expect(text).not.toContain('a-limit-nobody-knows');
  });

  it('keeps serving when the queue cannot be read (the database is down)', async () => {
    const m = createMetrics();
    m.collectFrom({ circuits: () => ({ open: 0, half_open: 0 }), pool: () => null, queue: () => Promise.reject(new Error('down')) });
    const text = await m.registry.metrics();
    expect(text).toContain('app_job_queue_oldest_pending_age_seconds');
    expect(text).not.toContain('app_db_pool_connections{');
  });
});
