'use client';
import { useEffect, useId, useRef, useState } from 'react';
import { useIntl } from 'react-intl';
import Button from '@atlaskit/button/new';
import Heading from '@atlaskit/heading';
import SectionMessage from '@atlaskit/section-message';
import Textfield from '@atlaskit/textfield';
import { token } from '@atlaskit/tokens';
import { confirmMatches } from './confirm';

/**
 * "Your data" on the admin page: export the site's data (a JSON download) and delete it all
 * (the button works once the site host is typed). The server decides who may; this only
 * mirrors `canManage`. Mounted by components/admin/admin-app.tsx, whose API client adds the
 * page's `Authorization` (session token, or a context JWT) in `fetchWithAuth`.
 *
 * Test ids: admin-data (section), admin-data-readonly, admin-data-export,
 * admin-data-confirm-input, admin-data-delete, admin-data-deleted, admin-data-error.
 */
export interface DataControlsProps {
  locale: string;
  fetchWithAuth: (path: string, init?: RequestInit) => Promise<Response>;
  onDeleted?: (deleted: Record<string, number>) => void;
}

interface Summary {
  siteHost: string;
  retentionDays: number;
  canManage: boolean;
  links: { privacy: string; security: string };
  degraded?: string[];
}

type Status = { kind: 'idle' } | { kind: 'busy'; what: 'export' | 'delete' } | { kind: 'error'; text: string } | { kind: 'done'; text: string };

function filenameOf(res: Response): string {
  return /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'checklists-export.json';
}

/** 503/429: the product could not confirm the admin right (nothing happened); anything else is ours. */
const productDown = (status: number) => status === 503 || status === 429;

type Key = 'heading' | 'export' | 'exporting' | 'exportFailed' | 'confirmDelete' | 'deleting' | 'deleteFailed' | 'adminsOnly' | 'adminUnconfirmed' | 'productUnavailable' | 'privacyLink';

export function DataControls({ locale, fetchWithAuth, onDeleted }: DataControlsProps) {
  const intl = useIntl();
  const t = (key: Key) => intl.formatMessage({ id: `dataControls.${key}` });
  const confirmId = useId();
  const [summary, setSummary] = useState<Summary | null>(null);
  const [typed, setTyped] = useState('');
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  // The latest fetcher, without re-running the effect when the parent passes a new function.
  const fetcher = useRef(fetchWithAuth);
  useEffect(() => {
    fetcher.current = fetchWithAuth;
  }, [fetchWithAuth]);

  useEffect(() => {
    let live = true;
    fetcher
      .current('/api/admin/data')
      .then((r) => (r.ok ? (r.json() as Promise<Summary>) : null))
      .then((s) => live && setSummary(s))
      .catch(() => live && setSummary(null));
    return () => {
      live = false;
    };
  }, []);

  if (!summary) return null;
  const busy = status.kind === 'busy';
  const canManage = summary.canManage;

  async function exportData() {
    setStatus({ kind: 'busy', what: 'export' });
    try {
      const res = await fetchWithAuth('/api/admin/data/export');
      if (!res.ok) return setStatus({ kind: 'error', text: productDown(res.status) ? t('productUnavailable') : t('exportFailed') });
      const url = URL.createObjectURL(await res.blob());
      const a = Object.assign(document.createElement('a'), { href: url, download: filenameOf(res) });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setStatus({ kind: 'idle' });
    } catch {
      setStatus({ kind: 'error', text: t('exportFailed') });
    }
  }

  async function deleteAll() {
    setStatus({ kind: 'busy', what: 'delete' });
    try {
      const res = await fetchWithAuth('/api/admin/data/delete-all', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ confirm: typed }),
      });
      if (!res.ok) return setStatus({ kind: 'error', text: productDown(res.status) ? t('productUnavailable') : t('deleteFailed') });
      const { deleted } = (await res.json()) as { deleted: Record<string, number> };
      setTyped('');
      setStatus({ kind: 'done', text: intl.formatMessage({ id: 'dataControls.deleted' }, { items: deleted.checklistItems ?? 0 }) });
      onDeleted?.(deleted);
    } catch {
      setStatus({ kind: 'error', text: t('deleteFailed') });
    }
  }

  return (
    <section aria-labelledby={`${confirmId}-h`} data-testid="admin-data" style={{ marginTop: token('space.300', '24px') }}>
      <Heading size="small" as="h2" id={`${confirmId}-h`}>{t('heading')}</Heading>
      <p>
        {intl.formatMessage({ id: 'dataControls.intro' }, { days: summary.retentionDays })} <a href={`${summary.links.privacy}?lang=${encodeURIComponent(locale)}`} target="_blank" rel="noopener noreferrer" style={{ textDecoration: 'underline' }}>{t('privacyLink')}</a>
      </p>
      {!canManage && <p data-testid="admin-data-readonly">{summary.degraded?.includes('admin') ? t('adminUnconfirmed') : t('adminsOnly')}</p>}
      <div style={{ marginTop: token('space.100', '8px') }}>
        <Button testId="admin-data-export" isDisabled={!canManage || busy} onClick={() => void exportData()}>
          {status.kind === 'busy' && status.what === 'export' ? t('exporting') : t('export')}
        </Button>
      </div>
      <div style={{ marginTop: token('space.200', '16px') }}>
        <label htmlFor={confirmId}>{intl.formatMessage({ id: 'dataControls.confirmLabel' }, { host: summary.siteHost })}</label>
        <div style={{ display: 'flex', gap: token('space.100', '8px'), marginTop: token('space.050', '4px') }}>
          <Textfield
            id={confirmId}
            testId="admin-data-confirm-input"
            value={typed}
            isDisabled={!canManage || busy}
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => setTyped(e.currentTarget.value)}
          />
          <Button testId="admin-data-delete" appearance="danger" isDisabled={!canManage || busy || !confirmMatches(typed, summary.siteHost)} onClick={() => void deleteAll()}>
            {status.kind === 'busy' && status.what === 'delete' ? t('deleting') : t('confirmDelete')}
          </Button>
        </div>
      </div>
      <div aria-live="polite" style={{ marginTop: token('space.150', '12px') }}>
        {status.kind === 'error' && <div data-testid="admin-data-error"><SectionMessage appearance="error"><p>{status.text}</p></SectionMessage></div>}
        {status.kind === 'done' && <div data-testid="admin-data-deleted"><SectionMessage appearance="success"><p>{status.text}</p></SectionMessage></div>}
      </div>
    </section>
  );
}
