'use client';
import { useEffect, useId, useRef, useState } from 'react';
import Button from '@atlaskit/button/new';
import Heading from '@atlaskit/heading';
import SectionMessage from '@atlaskit/section-message';
import Textfield from '@atlaskit/textfield';
import { token } from '@atlaskit/tokens';
import { confirmMatches, dataControlMessages } from './messages';

/**
 * "Your data" on the admin page: export the site's data (a JSON download) and delete it all
 * (after typing the site host). The server decides who may; this only mirrors `canManage`.
 *
 * Usage (issue 4's admin page): `<DataControls locale={boot.locale} fetchWithAuth={(path, init) => ...} />`
 * where fetchWithAuth adds the page's `Authorization` (session token, or a context JWT).
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
}

type Status = { kind: 'idle' } | { kind: 'busy'; what: 'export' | 'delete' } | { kind: 'error'; text: string } | { kind: 'done'; text: string };

function filenameOf(res: Response): string {
  return /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'checklists-export.json';
}

export function DataControls({ locale, fetchWithAuth, onDeleted }: DataControlsProps) {
  const m = dataControlMessages(locale);
  const confirmId = useId();
  const [summary, setSummary] = useState<Summary | null>(null);
  const [confirming, setConfirming] = useState(false);
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

  async function exportData() {
    setStatus({ kind: 'busy', what: 'export' });
    try {
      const res = await fetchWithAuth('/api/admin/data/export');
      if (!res.ok) throw new Error(String(res.status));
      const url = URL.createObjectURL(await res.blob());
      const a = Object.assign(document.createElement('a'), { href: url, download: filenameOf(res) });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setStatus({ kind: 'idle' });
    } catch {
      setStatus({ kind: 'error', text: m.exportFailed });
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
      if (!res.ok) throw new Error(String(res.status));
      const { deleted } = (await res.json()) as { deleted: Record<string, number> };
      setConfirming(false);
      setTyped('');
      setStatus({ kind: 'done', text: m.deleted(deleted.checklistItems ?? 0) });
      onDeleted?.(deleted);
    } catch {
      setStatus({ kind: 'error', text: m.deleteFailed });
    }
  }

  return (
    <section aria-labelledby={`${confirmId}-h`} data-testid="data-controls" style={{ marginTop: token('space.300', '24px') }}>
      <Heading size="small" as="h2" id={`${confirmId}-h`}>{m.heading}</Heading>
      <p>
        {m.intro(summary.retentionDays)} <a href={`${summary.links.privacy}?lang=${encodeURIComponent(locale)}`} target="_blank" rel="noopener noreferrer">{m.privacyLink}</a>
      </p>
      {!summary.canManage && <p data-testid="data-controls-readonly">{m.adminsOnly}</p>}
      <div style={{ display: 'flex', gap: token('space.100', '8px') }}>
        <Button testId="data-export" isDisabled={!summary.canManage || busy} onClick={() => void exportData()}>
          {status.kind === 'busy' && status.what === 'export' ? m.exporting : m.export}
        </Button>
        {!confirming && (
          <Button testId="data-delete-start" appearance="danger" isDisabled={!summary.canManage || busy} onClick={() => setConfirming(true)}>
            {m.deleteAll}
          </Button>
        )}
      </div>
      {confirming && (
        <div style={{ marginTop: token('space.200', '16px') }}>
          <label htmlFor={confirmId}>{m.confirmLabel(summary.siteHost)}</label>
          <Textfield id={confirmId} testId="data-delete-confirm" value={typed} autoComplete="off" spellCheck={false} onChange={(e) => setTyped(e.currentTarget.value)} />
          <div style={{ display: 'flex', gap: token('space.100', '8px'), marginTop: token('space.100', '8px') }}>
            <Button testId="data-delete" appearance="danger" isDisabled={busy || !confirmMatches(typed, summary.siteHost)} onClick={() => void deleteAll()}>
              {status.kind === 'busy' && status.what === 'delete' ? m.deleting : m.confirmDelete}
            </Button>
            <Button appearance="subtle" isDisabled={busy} onClick={() => (setConfirming(false), setTyped(''))}>
              {m.cancel}
            </Button>
          </div>
        </div>
      )}
      <div aria-live="polite" style={{ marginTop: token('space.150', '12px') }}>
        {status.kind === 'error' && <SectionMessage appearance="error"><p>{status.text}</p></SectionMessage>}
        {status.kind === 'done' && <SectionMessage appearance="success"><p>{status.text}</p></SectionMessage>}
      </div>
    </section>
  );
}
