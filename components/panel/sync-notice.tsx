'use client';
import { useIntl } from 'react-intl';
import SectionMessage from '@atlaskit/section-message';
import { token } from '@atlaskit/tokens';
import type { SyncState } from '@/lib/checklists/schema';

/**
 * "Jira is limiting requests": shown while the app's API says Jira rate limits the site (or held
 * back this write), gone once the change has synced. The change itself is saved in the
 * app; only Jira's copy (the issue property JQL searches) waits for the limit's reset.
 */
export function SyncNotice({ sync }: { sync: SyncState | undefined }) {
  const intl = useIntl();
  if (sync?.state !== 'limited') return null;
  return (
    <div data-testid="panel-sync-limited" data-limit={sync.limit} data-pending={sync.pending ? 'true' : 'false'} role="status" style={{ marginBottom: token('space.100', '8px') }}>
      <SectionMessage appearance="information">
        <p>{intl.formatMessage({ id: sync.pending ? 'panel.sync.limited' : 'panel.sync.limitedNoChange' })}</p>
      </SectionMessage>
    </div>
  );
}
