import { z } from 'zod';
import type { DegradedPart } from '@/lib/app/degraded';
import { CHECKLIST_LIMITS } from '@/lib/checklists/limits';
import { itemText } from '@/lib/checklists/schema';

/** Site-wide settings an admin configures. Client-safe: the admin page validates with it too. */

const projectKey = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase())
  .pipe(z.string().regex(/^[A-Z][A-Z0-9_]{0,49}$/, 'Not a Jira project key (letters, digits, _; starts with a letter)'));

export const settingsSchema = z
  .strictObject({
    template: z.strictObject({
      enabled: z.boolean(),
      items: z.array(itemText).max(CHECKLIST_LIMITS.templateItems, `At most ${CHECKLIST_LIMITS.templateItems} default items`),
    }),
    projects: z.strictObject({
      mode: z.enum(['all', 'listed']),
      keys: z.array(projectKey).max(CHECKLIST_LIMITS.projectKeys, `At most ${CHECKLIST_LIMITS.projectKeys} projects`),
    }),
    showCheckedBy: z.boolean(),
  })
  .superRefine((s, ctx) => {
    if (s.template.enabled && s.template.items.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['template', 'items'], message: 'Add at least one default item, or turn the default checklist off' });
    }
    if (s.projects.mode === 'listed' && s.projects.keys.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['projects', 'keys'], message: 'List at least one project key, or show the checklist in all projects' });
    }
    const seen = new Set<string>();
    s.projects.keys.forEach((k, i) => {
      if (seen.has(k)) ctx.addIssue({ code: 'custom', path: ['projects', 'keys', i], message: `${k} is listed twice` });
      seen.add(k);
    });
  });

export type Settings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  template: { enabled: false, items: [] },
  projects: { mode: 'all', keys: [] },
  showCheckedBy: true,
};

/** PUT /api/settings: the version the admin edited (0 when none was saved yet) and the new settings. */
export const saveSettingsBody = z.strictObject({ version: z.number().int().min(0), settings: settingsSchema });

/** Whether the panel shows on an issue of this project. */
export function panelEnabledFor(settings: Settings, projectKey: string | undefined): boolean {
  if (settings.projects.mode === 'all') return true;
  return !!projectKey && settings.projects.keys.includes(projectKey.toUpperCase());
}

export type LicenseView = 'active' | 'evaluation' | 'none' | 'unknown';

export interface AdminOverviewDto {
  settings: Settings;
  version: number;
  canEdit: boolean;
  license: { view: LicenseView; param: 'active' | 'none' | 'absent'; licensed: boolean };
  summary: { issues: number; items: number; checked: number; usersWithPreferences: number };
  manageAppsUrl: string;
  /** Live product data this answer is missing: 'license' (the signed license is shown), 'admin' (editing off until confirmed). */
  degraded?: DegradedPart[];
}
