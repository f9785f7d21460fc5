'use client';
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { useIntl } from 'react-intl';
import InformationCircleIcon from '@atlaskit/icon/core/information-circle';
import SectionMessage, { SectionMessageAction } from '@atlaskit/section-message';
import Spinner from '@atlaskit/spinner';
import Toggle from '@atlaskit/toggle';
import { token } from '@atlaskit/tokens';
import { CHECKLIST_LIMITS } from '@/lib/checklists/limits';
import type { ItemDto } from '@/lib/checklists/schema';
import { createApiClient } from '../connect/api-client';
import { autoResize } from '../connect/ap';
import { noSubscribe, readBootstrap, type Bootstrap } from '../connect/bootstrap';
import { ManageAppsLink } from '../connect/manage-apps-link';
import { IntlRoot, useLocaleMessages } from '../i18n/intl-root';
import { AddItemForm } from './add-item-form';
import { ChecklistItem } from './checklist-item';
import { PanelHeader } from './panel-header';
import { SyncNotice } from './sync-notice';
import { useChecklist } from './use-checklist';

/**
 * The issue panel. Prerendered once at build time as a static shell (it renders its loading
 * state there); the page route injects the bootstrap, and everything else comes from the API.
 */
export function PanelApp() {
  // The server prerendered the shell without a bootstrap (null); the browser reads the injected one.
  const boot = useSyncExternalStore(noSubscribe, readBootstrap, () => null);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => (root.current ? autoResize(root.current) : undefined), []);
  const { locale, messages } = useLocaleMessages(boot);
  return (
    <div ref={root} className="ac-content" data-testid="panel-root" style={{ padding: token('space.050', '4px') }}>
      {boot && messages ? (
        <IntlRoot locale={locale} timeZone={boot.timeZone} messages={messages}>
          <Panel boot={boot} />
        </IntlRoot>
      ) : (
        <div data-testid="panel-loading" style={{ display: 'flex', justifyContent: 'center', padding: token('space.200', '16px') }}>
          <Spinner size="medium" label="Loading" />
        </div>
      )}
    </div>
  );
}

function Panel({ boot }: { boot: Bootstrap }) {
  const intl = useIntl();
  const t = (id: string, values?: Record<string, string | number>) => intl.formatMessage({ id }, values);
  const api = useMemo(() => createApiClient(boot), [boot]);
  const c = useChecklist(api, boot);
  const [announce, setAnnounce] = useState('');
  const refocus = useRef<{ id: string; direction: 'up' | 'down' } | null>(null);

  // Reordering moves the row's DOM node, which drops focus: put it back on the same control.
  useEffect(() => {
    const want = refocus.current;
    if (!want) return;
    refocus.current = null;
    const row = document.querySelector(`[data-item-id="${CSS.escape(want.id)}"]`);
    const button = row?.querySelector<HTMLButtonElement>(`[data-testid="checklist-item-move-${want.direction}"]:not([disabled])`);
    (button ?? row?.querySelector<HTMLElement>('input,button'))?.focus();
  }, [c.data]);

  // First useful paint, for bench/panel-paint.ts and real-user monitoring.
  useEffect(() => {
    if (c.status === 'ready' && performance.getEntriesByName('checklist:ready').length === 0) performance.mark('checklist:ready');
  }, [c.status]);

  if (c.status === 'loading' && !c.data) {
    return (
      <div data-testid="panel-loading" style={{ display: 'flex', justifyContent: 'center', padding: token('space.200', '16px') }}>
        <Spinner size="medium" label={t('panel.loading')} />
      </div>
    );
  }
  if (c.status === 'error' || !c.data) {
    return (
      <div data-testid="panel-error">
        <SectionMessage appearance="error" title={t('panel.error.title')} actions={<SectionMessageAction onClick={() => void c.load()} testId="panel-retry">{t('panel.error.retry')}</SectionMessageAction>}>
          <p>{t('panel.error.body')}</p>
        </SectionMessage>
      </div>
    );
  }
  const data = c.data;
  if (!data.enabled) {
    return (
      <div data-testid="panel-disabled">
        <SectionMessage appearance="information" title={t('panel.disabled.title')}>
          <p>{t('panel.disabled.body')}</p>
        </SectionMessage>
      </div>
    );
  }

  const items = data.items;
  const done = items.filter((i) => i.checked).length;
  const visible = c.prefs.hideCompleted ? items.filter((i) => !i.checked) : items;
  const hidden = items.length - visible.length;
  const unlicensed = !boot.license.licensed;
  const readOnly = data.readOnly;
  const full = items.length >= CHECKLIST_LIMITS.itemsPerChecklist;

  const onMove = (item: ItemDto, index: number, direction: 'up' | 'down') => {
    const neighbour = visible[direction === 'up' ? index - 1 : index + 1];
    if (!neighbour) return;
    void c.move(item, neighbour, direction);
    refocus.current = { id: item.id, direction };
    setAnnounce(t('panel.item.moved', { position: direction === 'up' ? index : index + 2, total: visible.length }));
  };

  return (
    <div data-testid="panel-ready" data-readonly={readOnly ? 'true' : 'false'}>
      <PanelHeader done={done} total={items.length} />
      {unlicensed && (
        <div data-testid="panel-readonly" style={{ marginBottom: token('space.100', '8px') }}>
          <SectionMessage appearance="warning" title={t('panel.readOnly.title')}>
            <p>{t('panel.readOnly.body')}</p>
            {/* The product page, not the iframe, must navigate to the site's app management. */}
            <p>
              <ManageAppsLink href={boot.site.manageAppsUrl} testId="panel-readonly-link">
                {t('panel.readOnly.link')}
              </ManageAppsLink>
            </p>
          </SectionMessage>
        </div>
      )}
      {!unlicensed && !boot.accountId && <p data-testid="panel-anonymous">{t('panel.anonymous')}</p>}
      {c.notice && (
        <div data-testid="panel-notice" data-kind={c.notice.kind} role="alert" style={{ marginBottom: token('space.100', '8px') }}>
          <SectionMessage appearance={c.notice.kind === 'conflict' ? 'information' : 'error'}>
            <p>
              {c.notice.kind === 'conflict' && t('panel.error.conflict')}
              {c.notice.kind === 'full' && t('panel.error.full', { max: CHECKLIST_LIMITS.itemsPerChecklist })}
              {c.notice.kind === 'tooLong' && t('panel.error.tooLong', { max: CHECKLIST_LIMITS.itemText })}
              {c.notice.kind === 'session' && t('panel.error.session')}
              {c.notice.kind === 'generic' && t('panel.error.save', { reason: t('panel.error.generic') })}
            </p>
          </SectionMessage>
        </div>
      )}
      <SyncNotice sync={data.sync} />
      {data.degraded?.length ? (
        // Quiet on purpose: the checklist is complete; only details from Jira are missing.
        <p data-testid="panel-degraded" data-parts={data.degraded.join(' ')} role="status" style={{ display: 'flex', alignItems: 'center', gap: token('space.050', '4px'), margin: `0 0 ${token('space.050', '4px')}`, color: token('color.text.subtlest', '#626F86'), font: token('font.body.small', '400 12px/16px sans-serif') }}>
          <InformationCircleIcon label="" color={token('color.icon.subtle', '#626F86')} size="small" />
          <span>{t('panel.degraded')}</span>
        </p>
      ) : null}
      {data.templateApplied && <p data-testid="panel-template-applied" style={{ color: token('color.text.subtlest', '#626F86'), margin: 0 }}>{t('panel.templateApplied')}</p>}
      {items.length === 0 ? (
        <div data-testid="panel-empty" style={{ padding: `${token('space.100', '8px')} 0`, color: token('color.text.subtle', '#44546F') }}>
          <strong>{t('panel.empty.title')}</strong>
          <p style={{ margin: 0 }}>{t('panel.empty.body')}</p>
        </div>
      ) : (
        <ul data-testid="checklist-list" aria-label={t('panel.title')} style={{ listStyle: 'none', margin: 0, padding: 0 }}>
          {visible.map((item, index) => (
            <ChecklistItem
              key={item.id}
              item={item}
              checkerName={item.checkedBy ? data.people[item.checkedBy] : undefined}
              showCheckedBy={data.showCheckedBy}
              readOnly={readOnly}
              canMoveUp={index > 0}
              canMoveDown={index < visible.length - 1}
              onToggle={(checked) => void c.update(item, { checked })}
              onSave={(text) => void c.update(item, { text })}
              onMove={(direction) => onMove(item, index, direction)}
              onDelete={() => void c.remove(item)}
            />
          ))}
        </ul>
      )}
      {hidden > 0 && <p data-testid="hidden-count" style={{ color: token('color.text.subtlest', '#626F86'), margin: `${token('space.050', '4px')} 0` }}>{t('panel.hiddenCount', { count: hidden })}</p>}
      {!readOnly && <AddItemForm onAdd={c.add} disabled={full} />}
      {items.length > 0 && (
        <div style={{ display: 'flex', alignItems: 'center', gap: token('space.050', '4px'), marginTop: token('space.100', '8px') }}>
          {/* Atlaskit wraps its input in a label of its own: pair ours by id, never nest it. */}
          <Toggle id="hide-completed" isChecked={c.prefs.hideCompleted} onChange={(e) => void c.setHideCompleted(e.currentTarget.checked)} testId="hide-completed-toggle" />
          <label htmlFor="hide-completed">{t('panel.hideCompleted')}</label>
        </div>
      )}
      <div aria-live="polite" data-testid="panel-live" style={{ position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)' }}>
        {announce}
      </div>
    </div>
  );
}
