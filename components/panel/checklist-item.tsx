'use client';
import { useState, type KeyboardEvent } from 'react';
import { useIntl } from 'react-intl';
import Button, { IconButton } from '@atlaskit/button/new';
import { Checkbox } from '@atlaskit/checkbox';
import Textfield from '@atlaskit/textfield';
import ArrowUpIcon from '@atlaskit/icon/core/arrow-up';
import ArrowDownIcon from '@atlaskit/icon/core/arrow-down';
import DeleteIcon from '@atlaskit/icon/core/delete';
import EditIcon from '@atlaskit/icon/core/edit';
import { token } from '@atlaskit/tokens';
import { CHECKLIST_LIMITS } from '@/lib/checklists/limits';
import type { ItemDto } from '@/lib/checklists/schema';

export interface ItemProps {
  item: ItemDto;
  checkerName: string | null | undefined;
  showCheckedBy: boolean;
  readOnly: boolean;
  canMoveUp: boolean;
  canMoveDown: boolean;
  onToggle: (checked: boolean) => void;
  onSave: (text: string) => void;
  onMove: (direction: 'up' | 'down') => void;
  onDelete: () => void;
}

/** One checklist row: checkbox, text (or its editor), who checked it, and the row's actions. */
export function ChecklistItem(p: ItemProps) {
  const intl = useIntl();
  const t = (id: string, values?: Record<string, string | number>) => intl.formatMessage({ id }, values);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(p.item.text);
  const text = p.item.text;
  const label = (action: string) => t('panel.item.actionsFor', { action: t(action), text });

  const save = () => {
    const next = draft.trim();
    if (next && next !== text && next.length <= CHECKLIST_LIMITS.itemText) p.onSave(next);
    setEditing(false);
  };
  // Alt+ArrowUp / Alt+ArrowDown move the focused row: the keyboard path for reordering.
  const onKeyDown = (e: KeyboardEvent<HTMLLIElement>) => {
    if (p.readOnly || editing || !e.altKey) return;
    if (e.key === 'ArrowUp' && p.canMoveUp) {
      e.preventDefault();
      p.onMove('up');
    } else if (e.key === 'ArrowDown' && p.canMoveDown) {
      e.preventDefault();
      p.onMove('down');
    }
  };

  let meta: string | null = null;
  if (p.item.checked && p.showCheckedBy && p.item.checkedAt) {
    const date = intl.formatDate(p.item.checkedAt, { dateStyle: 'medium', timeStyle: 'short' });
    // null: the product says the account is gone; undefined: the name could not be had just now.
    meta =
      p.item.checkedBy && p.checkerName !== undefined
        ? t('panel.item.checkedBy', { name: p.checkerName ?? t('panel.item.unknownUser'), date })
        : t('panel.item.checkedAt', { date });
  }

  return (
    <li
      data-testid="checklist-item"
      data-item-id={p.item.id}
      data-checked={p.item.checked ? 'true' : 'false'}
      onKeyDown={onKeyDown}
      style={{ display: 'flex', alignItems: 'flex-start', gap: token('space.100', '8px'), padding: `${token('space.050', '4px')} 0`, borderBottom: `1px solid ${token('color.border', '#091E4224')}` }}
    >
      <div style={{ flex: 1, minWidth: 0 }}>
        {editing ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              save();
            }}
            style={{ display: 'flex', gap: token('space.050', '4px') }}
          >
            <Textfield
              autoFocus
              value={draft}
              maxLength={CHECKLIST_LIMITS.itemText}
              aria-label={t('panel.item.editLabel')}
              testId="checklist-item-edit-input"
              onChange={(e) => setDraft((e.target as HTMLInputElement).value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') setEditing(false);
              }}
            />
            <Button type="submit" appearance="primary" testId="checklist-item-save">
              {t('panel.item.save')}
            </Button>
            <Button onClick={() => setEditing(false)} testId="checklist-item-cancel">
              {t('panel.item.cancel')}
            </Button>
          </form>
        ) : (
          <Checkbox
            isChecked={p.item.checked}
            isDisabled={p.readOnly}
            testId="checklist-item-checkbox"
            onChange={(e) => p.onToggle(e.currentTarget.checked)}
            label={
              <span data-testid="checklist-item-text" style={{ textDecoration: p.item.checked ? 'line-through' : undefined, overflowWrap: 'anywhere' }}>
                {text}
              </span>
            }
          />
        )}
        {meta && !editing && (
          <div data-testid="checklist-item-meta" style={{ marginInlineStart: token('space.300', '24px'), color: token('color.text.subtlest', '#626F86'), font: token('font.body.small', '400 11px/16px sans-serif') }}>
            {meta}
          </div>
        )}
      </div>
      {!p.readOnly && !editing && (
        <div style={{ display: 'flex', gap: token('space.025', '2px'), flexShrink: 0 }}>
          <IconButton appearance="subtle" spacing="compact" icon={ArrowUpIcon} label={label('panel.item.moveUp')} isDisabled={!p.canMoveUp} onClick={() => p.onMove('up')} testId="checklist-item-move-up" />
          <IconButton appearance="subtle" spacing="compact" icon={ArrowDownIcon} label={label('panel.item.moveDown')} isDisabled={!p.canMoveDown} onClick={() => p.onMove('down')} testId="checklist-item-move-down" />
          <IconButton
            appearance="subtle"
            spacing="compact"
            icon={EditIcon}
            label={label('panel.item.edit')}
            onClick={() => {
              setDraft(text);
              setEditing(true);
            }}
            testId="checklist-item-edit"
          />
          <IconButton appearance="subtle" spacing="compact" icon={DeleteIcon} label={label('panel.item.delete')} onClick={p.onDelete} testId="checklist-item-delete" />
        </div>
      )}
    </li>
  );
}
