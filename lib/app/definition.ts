import { webhookModules, type AppDefinition } from 'atlassian-connect-next';
import { PRODUCT_LOCALE_FOR, SUPPORTED_LOCALES } from '@/lib/i18n/locales';
import { checklistPropertyModule } from '@/lib/checklists/issue-property';
import { CHECKLIST_WEBHOOKS } from '@/lib/checklists/webhooks';
import { POLICY_PATHS } from '@/lib/policies/paths';

/** The reference app's modules and scopes: the one source for the descriptor and the Forge manifest. */
export function appDefinition(opts: { key: string; name: string; vendor: { name: string; url: string } }): AppDefinition {
  const ctx = 'issueKey={issue.key}&issueId={issue.id}&projectKey={project.key}&projectId={project.id}';
  return {
    key: opts.key,
    name: opts.name,
    description: 'Checklists on Jira issues: track the steps of every issue, configured by site admins.',
    vendor: opts.vendor,
    // READ: issues, users, permissions, the app's license, and webhooks. WRITE: one thing only,
    // the checklist's progress as an issue property (so JQL can search it). No DELETE: an
    // emptied checklist writes zeros rather than deleting the property.
    scopes: ['READ', 'WRITE'],
    links: { privacy: POLICY_PATHS.privacy, security: POLICY_PATHS.security },
    translations: Object.fromEntries(SUPPORTED_LOCALES.map((l) => [PRODUCT_LOCALE_FOR[l], `/i18n/${l}.json`])),
    modules: {
      jiraIssueGlances: [
        {
          key: 'checklist-glance',
          name: { value: 'Checklist', i18n: 'checklist.glance.name' },
          icon: { width: 24, height: 24, url: '/icon.svg' },
          content: { type: 'label', label: { value: 'Checklist', i18n: 'checklist.glance.label' } },
          target: { type: 'web_panel', url: `/panel/issue?${ctx}` },
          jiraNativeAppsEnabled: false,
        },
      ],
      webPanels: [
        {
          key: 'checklist-panel',
          name: { value: 'Checklist', i18n: 'checklist.panel.name' },
          url: `/panel/issue?${ctx}`,
          location: 'atl.jira.view.issue.left.context',
          weight: 100,
        },
      ],
      generalPages: [
        {
          key: 'checklists-home',
          name: { value: 'Checklists', i18n: 'checklist.general.name' },
          url: '/general',
          location: 'system.top.navigation.bar',
        },
      ],
      adminPages: [
        { key: 'checklists-admin', name: { value: 'Checklists settings', i18n: 'checklist.admin.name' }, url: '/admin' },
      ],
      configurePage: [
        { key: 'checklists-configure', name: { value: 'Configure Checklists', i18n: 'checklist.configure.name' }, url: '/admin' },
      ],
      jiraEntityProperties: [checklistPropertyModule(opts.key)],
      webhooks: webhookModules(CHECKLIST_WEBHOOKS),
    },
  };
}
