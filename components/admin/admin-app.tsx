'use client';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { useIntl } from 'react-intl';
import Heading from '@atlaskit/heading';
import InformationCircleIcon from '@atlaskit/icon/core/information-circle';
import Lozenge from '@atlaskit/lozenge';
import SectionMessage, { SectionMessageAction } from '@atlaskit/section-message';
import Spinner from '@atlaskit/spinner';
import { token } from '@atlaskit/tokens';
import { DataControls } from '@/lib/gdpr/ui/data-controls';
import { POLICY_PATHS } from '@/lib/policies/paths';
import type { AdminOverviewDto } from '@/lib/settings/schema';
import { createApiClient, takePrefetched } from '../connect/api-client';
import { noSubscribe, readBootstrap, type Bootstrap } from '../connect/bootstrap';
import { ManageAppsLink } from '../connect/manage-apps-link';
import { IntlRoot, useLocaleMessages } from '../i18n/intl-root';
import { SettingsForm } from './settings-form';

/**
 * The admin page (adminPages / configurePage): license, data summary, the site's settings, the
 * data controls (export, delete all) and links to the published policies.
 */
export function AdminApp() {
  // The server prerendered the shell without a bootstrap (null); the browser reads the injected one.
  const boot = useSyncExternalStore(noSubscribe, readBootstrap, () => null);
  // Sized by the product (AP.js option sizeToParent, components/connect/ap-options.ts).
  const { locale, messages } = useLocaleMessages(boot);
  return (
    <div className="ac-content" data-testid="admin-root" style={{ padding: token('space.200', '16px'), maxWidth: 760 }}>
      {boot && messages ? (
        <IntlRoot locale={locale} timeZone={boot.timeZone} messages={messages}>
          <Admin boot={boot} />
        </IntlRoot>
      ) : (
        <div data-testid="admin-loading"><Spinner size="large" label="Loading" /></div>
      )}
    </div>
  );
}

const LICENSE_LOZENGE = { active: 'success', evaluation: 'new', none: 'removed', unknown: 'default' } as const;

function Admin({ boot }: { boot: Bootstrap }) {
  const intl = useIntl();
  const t = (id: string, v?: Record<string, string | number>) => intl.formatMessage({ id }, v);
  const api = useMemo(() => createApiClient(boot), [boot]);
  const [overview, setOverview] = useState<AdminOverviewDto | null>(null);
  const [failed, setFailed] = useState(false);
  // Bumped after "delete all data": the settings form starts again from what the server has.
  const [generation, setGeneration] = useState(0);

  // The page route started this GET before React loaded (see lib/app/pages/shell.ts).
  const load = useCallback(
    () =>
      (takePrefetched<AdminOverviewDto>('overview') ?? Promise.resolve(undefined))
        .catch(() => undefined)
        .then((first) => (first?.status === 200 ? first.body : api.get<AdminOverviewDto>('/api/settings')))
        .then(setOverview, () => setFailed(true)),
    [api],
  );
  useEffect(() => {
    void load();
  }, [load]);

  // Jira answered too slowly for this render: the app finishes the lookups in the background,
  // so ask again quietly (2 s, 4 s, 8 s) and let the notice clear itself.
  const retries = useRef(0);
  const degraded = overview?.degraded?.length ?? 0;
  useEffect(() => {
    if (!degraded || retries.current >= 3) return;
    const timer = setTimeout(() => {
      retries.current += 1;
      api.get<AdminOverviewDto>('/api/settings').then(setOverview, () => undefined);
    }, 2000 * 2 ** retries.current);
    return () => clearTimeout(timer);
  }, [api, degraded, overview]);

  if (failed) {
    return (
      <div data-testid="admin-error">
        <SectionMessage appearance="error" actions={<SectionMessageAction
              onClick={() => {
                setFailed(false);
                void load();
              }}
            >{t('panel.error.retry')}</SectionMessageAction>}>
          <p>{t('admin.error.load')}</p>
        </SectionMessage>
      </div>
    );
  }
  if (!overview) return <div data-testid="admin-loading"><Spinner size="large" label={t('admin.loading')} /></div>;

  const s = overview.summary;
  const num = (n: number) => intl.formatNumber(n);
  const section = { marginTop: token('space.300', '24px') };
  const unconfirmedAdmin = overview.degraded?.includes('admin') ?? false;
  const policyHref = (path: string) => `${path}?lang=${encodeURIComponent(intl.locale)}`;
  return (
    <div data-testid="admin-ready">
      <Heading size="large" as="h1">{t('admin.title')}</Heading>
      {overview.degraded?.length ? (
        // Quiet: the page works with what the app has; only live details from Jira are missing.
        <p data-testid="admin-degraded" data-parts={overview.degraded.join(' ')} role="status" style={{ display: 'flex', alignItems: 'center', gap: token('space.050', '4px'), color: token('color.text.subtlest', '#626F86'), font: token('font.body.small', '400 12px/16px sans-serif') }}>
          <InformationCircleIcon label="" color={token('color.icon.subtle', '#626F86')} size="small" />
          <span>{t('admin.degraded')}</span>
        </p>
      ) : null}

      <section style={section} aria-labelledby="license-h">
        <Heading size="small" as="h2" id="license-h">{t('admin.license.heading')}</Heading>
        <p data-testid="admin-license" data-license={overview.license.view}>
          <Lozenge appearance={LICENSE_LOZENGE[overview.license.view]} isBold>{t(`admin.license.${overview.license.view}`)}</Lozenge>{' '}
          <ManageAppsLink href={overview.manageAppsUrl} testId="admin-license-manage-link">{t('admin.license.manage')}</ManageAppsLink>
        </p>
        {!overview.license.licensed && (
          <div data-testid="admin-license-warning">
            <SectionMessage appearance="warning"><p>{t('admin.license.noneBody')}</p></SectionMessage>
          </div>
        )}
      </section>

      <section style={section} aria-labelledby="summary-h">
        <Heading size="small" as="h2" id="summary-h">{t('admin.summary.heading')}</Heading>
        <dl style={{ display: 'grid', gridTemplateColumns: 'max-content auto', gap: `${token('space.050', '4px')} ${token('space.200', '16px')}` }}>
          <dt>{t('admin.summary.issues')}</dt><dd data-testid="admin-summary-issues">{num(s.issues)}</dd>
          <dt>{t('admin.summary.items')}</dt><dd data-testid="admin-summary-items">{num(s.items)}</dd>
          <dt>{t('admin.summary.checked')}</dt><dd data-testid="admin-summary-checked">{num(s.checked)}</dd>
          <dt>{t('admin.summary.users')}</dt><dd data-testid="admin-summary-users">{num(s.usersWithPreferences)}</dd>
        </dl>
      </section>

      {!overview.canEdit && (
        <div data-testid="admin-readonly-notice" style={section}>
          <SectionMessage appearance="information">
            <p>{!overview.license.licensed ? t('admin.error.license') : unconfirmedAdmin ? t('admin.degraded.admin') : t('admin.readOnlyNotice')}</p>
          </SectionMessage>
        </div>
      )}
      <SettingsForm key={generation} api={api} overview={overview} onSaved={(settings, version) => setOverview({ ...overview, settings, version })} />
      <DataControls
        locale={intl.locale}
        fetchWithAuth={api.fetch}
        onDeleted={() => {
          setGeneration((g) => g + 1);
          void load();
        }}
      />
      <p data-testid="admin-policy-links" style={{ ...section, display: 'flex', gap: token('space.200', '16px') }}>
        <a href={policyHref(POLICY_PATHS.privacy)} target="_blank" rel="noopener noreferrer" data-testid="admin-privacy-link">{t('admin.links.privacy')}</a>
        <a href={policyHref(POLICY_PATHS.security)} target="_blank" rel="noopener noreferrer" data-testid="admin-security-link">{t('admin.links.security')}</a>
      </p>
    </div>
  );
}
