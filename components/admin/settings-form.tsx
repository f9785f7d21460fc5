'use client';
import { useState, type CSSProperties } from 'react';
import { useIntl } from 'react-intl';
import Button, { IconButton } from '@atlaskit/button/new';
import { Checkbox } from '@atlaskit/checkbox';
import Heading from '@atlaskit/heading';
import DeleteIcon from '@atlaskit/icon/core/delete';
import SectionMessage from '@atlaskit/section-message';
import Textfield from '@atlaskit/textfield';
import { token } from '@atlaskit/tokens';
import { CHECKLIST_LIMITS } from '@/lib/checklists/limits';
import { settingsSchema, type AdminOverviewDto, type Settings } from '@/lib/settings/schema';
import { showFlag } from '../connect/ap';
import { ApiError, type ApiClient } from '../connect/api-client';

type Issues = Record<string, string>;
const errorStyle: CSSProperties = { color: token('color.text.danger', '#AE2E24'), font: token('font.body.small', '400 11px/16px sans-serif') };

/** The settings an admin edits: validated here with the server's own Zod schema, then by the server. */
export function SettingsForm({ api, overview, onSaved }: { api: ApiClient; overview: AdminOverviewDto; onSaved: (s: Settings, version: number) => void }) {
  const intl = useIntl();
  const t = (id: string, v?: Record<string, string | number>) => intl.formatMessage({ id }, v);
  const [form, setForm] = useState<Settings>(overview.settings);
  const [keysText, setKeysText] = useState(overview.settings.projects.keys.join(', '));
  const [version, setVersion] = useState(overview.version);
  const [issues, setIssues] = useState<Issues>({});
  const [result, setResult] = useState<{ kind: 'saved' | 'conflict' | 'notAdmin' | 'license' | 'invalid' | 'product' | 'generic' } | null>(null);
  const [saving, setSaving] = useState(false);
  const disabled = !overview.canEdit || saving;

  const candidate = (): unknown => ({
    ...form,
    projects: { ...form.projects, keys: keysText.split(/[\s,]+/).filter(Boolean) },
  });
  const issuesOf = (list: { path: string; message: string }[]): Issues => Object.fromEntries(list.map((i) => [i.path, i.message]));

  const save = async () => {
    setResult(null);
    const parsed = settingsSchema.safeParse(candidate());
    if (!parsed.success) {
      setIssues(issuesOf(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))));
      setResult({ kind: 'invalid' });
      return;
    }
    setIssues({});
    setSaving(true);
    try {
      const saved = await api.put<{ settings: Settings; version: number }>('/api/settings', { version, settings: parsed.data });
      setVersion(saved.version);
      setForm(saved.settings);
      setKeysText(saved.settings.projects.keys.join(', '));
      onSaved(saved.settings, saved.version);
      // The product confirms a save with a flag, as its own settings pages do; without AP.js
      // (not loaded yet, or outside the product) the form says it itself.
      if (!showFlag({ title: t('admin.saved'), type: 'success', close: 'auto' })) setResult({ kind: 'saved' });
    } catch (err) {
      const code = err instanceof ApiError ? err.code : undefined;
      if (err instanceof ApiError && err.status === 409 && err.body.current) {
        const current = err.body.current as { settings: Settings; version: number };
        setForm(current.settings);
        setKeysText(current.settings.projects.keys.join(', '));
        setVersion(current.version);
        setResult({ kind: 'conflict' });
      } else if (code === 'ADMIN_REQUIRED') setResult({ kind: 'notAdmin' });
      // Saving needs Jira to confirm the admin right; the form keeps the edits for another try.
      else if (code === 'PRODUCT_UNAVAILABLE' || code === 'RATE_LIMITED') setResult({ kind: 'product' });
      else if (code === 'LICENSE_REQUIRED') setResult({ kind: 'license' });
      else if (err instanceof ApiError && err.status === 422) {
        setIssues(issuesOf((err.body.error?.issues ?? []).map((i) => ({ ...i, path: i.path.replace(/^settings\./, '') }))));
        setResult({ kind: 'invalid' });
      } else setResult({ kind: 'generic' });
    } finally {
      setSaving(false);
    }
  };

  const setItem = (i: number, text: string) => setForm((f) => ({ ...f, template: { ...f.template, items: f.template.items.map((x, j) => (j === i ? text : x)) } }));
  const section = { marginTop: token('space.300', '24px') };
  const err = (path: string) => issues[path] && <div role="alert" style={errorStyle} data-testid={`admin-error-${path}`}>{issues[path]}</div>;

  return (
    <form
      data-testid="admin-settings-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <section style={section} aria-labelledby="template-h">
        <Heading size="small" as="h2" id="template-h">{t('admin.template.heading')}</Heading>
        <Checkbox
          isChecked={form.template.enabled}
          isDisabled={disabled}
          label={t('admin.template.enabled')}
          testId="admin-template-enabled"
          onChange={(e) => {
            const enabled = e.currentTarget.checked;
            setForm((f) => ({ ...f, template: { ...f.template, enabled } }));
          }}
        />
        <p style={{ color: token('color.text.subtlest', '#626F86'), margin: `${token('space.050', '4px')} 0` }}>{t('admin.template.help')}</p>
        <ol style={{ paddingInlineStart: token('space.300', '24px') }}>
          {form.template.items.map((text, i) => (
            <li key={i} style={{ marginBottom: token('space.050', '4px') }}>
              <div style={{ display: 'flex', gap: token('space.050', '4px') }}>
                <Textfield
                  value={text}
                  isDisabled={disabled}
                  maxLength={CHECKLIST_LIMITS.itemText}
                  aria-label={t('admin.template.itemLabel', { n: i + 1 })}
                  isInvalid={!!issues[`template.items.${i}`]}
                  testId={`admin-template-item-${i}`}
                  onChange={(e) => setItem(i, (e.target as HTMLInputElement).value)}
                />
                <IconButton
                  icon={DeleteIcon}
                  appearance="subtle"
                  label={`${t('admin.template.remove')}: ${text}`}
                  isDisabled={disabled}
                  testId={`admin-template-remove-${i}`}
                  onClick={() => setForm((f) => ({ ...f, template: { ...f.template, items: f.template.items.filter((_, j) => j !== i) } }))}
                />
              </div>
              {err(`template.items.${i}`)}
            </li>
          ))}
        </ol>
        {err('template.items')}
        <Button
          isDisabled={disabled || form.template.items.length >= CHECKLIST_LIMITS.templateItems}
          testId="admin-template-add"
          onClick={() => setForm((f) => ({ ...f, template: { ...f.template, items: [...f.template.items, t('admin.template.newItem')] } }))}
        >
          {t('admin.template.add')}
        </Button>
      </section>

      <section style={section} aria-labelledby="projects-h">
        <Heading size="small" as="h2" id="projects-h">{t('admin.projects.heading')}</Heading>
        <fieldset style={{ border: 0, padding: 0, margin: `${token('space.100', '8px')} 0` }} disabled={disabled}>
          <legend className="sr-only" style={{ position: 'absolute', clip: 'rect(0 0 0 0)' }}>{t('admin.projects.heading')}</legend>
          {(['all', 'listed'] as const).map((mode) => (
            <label key={mode} style={{ display: 'flex', gap: token('space.050', '4px'), alignItems: 'center' }}>
              <input
                type="radio"
                name="projects-mode"
                value={mode}
                checked={form.projects.mode === mode}
                data-testid={`admin-projects-${mode}`}
                onChange={() => setForm((f) => ({ ...f, projects: { ...f.projects, mode } }))}
              />
              {t(`admin.projects.${mode}`)}
            </label>
          ))}
        </fieldset>
        {form.projects.mode === 'listed' && (
          <div>
            <label htmlFor="project-keys">{t('admin.projects.keysLabel')}</label>
            <Textfield id="project-keys" value={keysText} isDisabled={disabled} isInvalid={Object.keys(issues).some((k) => k.startsWith('projects.keys'))} testId="admin-projects-keys" onChange={(e) => setKeysText((e.target as HTMLInputElement).value)} />
            {Object.entries(issues).filter(([k]) => k.startsWith('projects.keys')).map(([k, m]) => <div key={k} role="alert" style={errorStyle} data-testid="admin-error-projects.keys">{m}</div>)}
          </div>
        )}
      </section>

      <section style={section} aria-labelledby="display-h">
        <Heading size="small" as="h2" id="display-h">{t('admin.display.heading')}</Heading>
        <Checkbox
          isChecked={form.showCheckedBy}
          isDisabled={disabled}
          label={t('admin.display.showCheckedBy')}
          testId="admin-show-checked-by"
          onChange={(e) => {
            const showCheckedBy = e.currentTarget.checked;
            setForm((f) => ({ ...f, showCheckedBy }));
          }}
        />
      </section>

      <div style={{ ...section, display: 'flex', flexDirection: 'column', gap: token('space.100', '8px') }}>
        {result && (
          <div data-testid={result.kind === 'saved' ? 'admin-saved' : 'admin-save-error'} data-kind={result.kind} role={result.kind === 'saved' ? 'status' : 'alert'}>
            <SectionMessage appearance={result.kind === 'saved' ? 'success' : result.kind === 'conflict' ? 'warning' : 'error'} title={result.kind === 'saved' ? undefined : t('admin.error.title')}>
              <p>{result.kind === 'generic' ? t('panel.error.save', { reason: t('panel.error.generic') }) : t(result.kind === 'saved' ? 'admin.saved' : `admin.error.${result.kind}`)}</p>
            </SectionMessage>
          </div>
        )}
        <div>
          <Button type="submit" appearance="primary" isDisabled={!overview.canEdit} isLoading={saving} testId="admin-save">
            {t('admin.save')}
          </Button>
        </div>
      </div>
    </form>
  );
}
