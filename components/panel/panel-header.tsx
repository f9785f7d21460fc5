'use client';
import { useIntl } from 'react-intl';
import Heading from '@atlaskit/heading';
import Lozenge from '@atlaskit/lozenge';
import ProgressBar from '@atlaskit/progress-bar';
import { token } from '@atlaskit/tokens';

/** Title, "3 of 5 done" with a progress bar, and a status lozenge. */
export function PanelHeader({ done, total }: { done: number; total: number }) {
  const intl = useIntl();
  const complete = total > 0 && done === total;
  return (
    <div style={{ marginBottom: token('space.100', '8px') }}>
      <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: token('space.100', '8px') }}>
        <Heading size="xsmall" as="h2">
          {intl.formatMessage({ id: 'panel.title' })}
        </Heading>
        {total > 0 && (
          <span data-testid="checklist-status-lozenge" data-complete={complete ? 'true' : 'false'}>
            <Lozenge appearance={complete ? 'success' : 'inprogress'}>{intl.formatMessage({ id: complete ? 'panel.complete' : 'panel.inProgress' })}</Lozenge>
          </span>
        )}
      </div>
      {total > 0 && (
        <div style={{ display: 'flex', alignItems: 'center', gap: token('space.100', '8px'), marginTop: token('space.075', '6px') }}>
          <div style={{ flex: 1 }} data-testid="checklist-progress-bar">
            <ProgressBar value={done / total} appearance={complete ? 'success' : 'default'} ariaLabel={intl.formatMessage({ id: 'panel.progressLabel' })} />
          </div>
          <span data-testid="checklist-progress" data-done={done} data-total={total} style={{ color: token('color.text.subtle', '#44546F'), font: token('font.body.small', '400 11px/16px sans-serif'), whiteSpace: 'nowrap' }}>
            {intl.formatMessage({ id: 'panel.progress' }, { done: intl.formatNumber(done), total: intl.formatNumber(total) })}
          </span>
        </div>
      )}
    </div>
  );
}
