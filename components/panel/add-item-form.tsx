'use client';
import { useState } from 'react';
import { useIntl } from 'react-intl';
import Button from '@atlaskit/button/new';
import Textfield from '@atlaskit/textfield';
import { token } from '@atlaskit/tokens';
import { CHECKLIST_LIMITS } from '@/lib/checklists/limits';

/** The "add an item" field: Enter adds, the field keeps focus for the next item. */
export function AddItemForm({ onAdd, disabled }: { onAdd: (text: string) => Promise<boolean>; disabled: boolean }) {
  const intl = useIntl();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const trimmed = text.trim();
  const tooLong = trimmed.length > CHECKLIST_LIMITS.itemText;
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault();
        if (!trimmed || tooLong || busy) return;
        setBusy(true);
        if (await onAdd(trimmed)) setText('');
        setBusy(false);
      }}
      style={{ display: 'flex', gap: token('space.100', '8px'), marginTop: token('space.100', '8px') }}
    >
      <div style={{ flex: 1 }}>
        <Textfield
          value={text}
          placeholder={intl.formatMessage({ id: 'panel.add.placeholder' })}
          aria-label={intl.formatMessage({ id: 'panel.add.label' })}
          isInvalid={tooLong}
          isDisabled={disabled}
          testId="checklist-add-input"
          onChange={(e) => setText((e.target as HTMLInputElement).value)}
        />
        {tooLong && (
          <div role="alert" data-testid="checklist-add-error" style={{ color: token('color.text.danger', '#AE2E24'), font: token('font.body.small', '400 11px/16px sans-serif') }}>
            {intl.formatMessage({ id: 'panel.error.tooLong' }, { max: CHECKLIST_LIMITS.itemText })}
          </div>
        )}
      </div>
      <Button type="submit" appearance="primary" isDisabled={disabled || !trimmed || tooLong} isLoading={busy} testId="checklist-add-submit">
        {intl.formatMessage({ id: 'panel.add.button' })}
      </Button>
    </form>
  );
}
