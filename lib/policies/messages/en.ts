import type { LocaleTexts } from '../types';

const db = (f: Parameters<LocaleTexts>[0]) =>
  f.database === 'embedded'
    ? 'an embedded PostgreSQL-compatible database (PGlite) on the disk of the server that runs the app'
    : 'a PostgreSQL database operated for the app';

const purge = (f: Parameters<LocaleTexts>[0]) =>
  f.purgeIntervalMinutes > 0 ? `The app checks for such sites every ${f.purgeIntervalMinutes} minutes.` : 'The operator runs the deletion job on a schedule.';

export const en: LocaleTexts = (f) => ({
  chrome: {
    language: 'Language',
    securityTitle: 'Security statement',
    privacyTitle: 'Data retention and privacy',
    generated: `This page is generated from the running configuration of ${f.appName}, so it always matches what the app does.`,
  },
  security: {
    title: `Security statement – ${f.appName}`,
    summary: `How ${f.appName} stores and protects the data of your Jira or Confluence site.`,
    sections: [
      {
        id: 'stored',
        heading: 'What the app stores',
        items: [
          'The installation of your site: its identifier, address, product type and the shared secret Atlassian issued to the app.',
          'Checklists: the text and state of each item, and who created or checked it (Atlassian account IDs).',
          'Site settings made by administrators, and each person’s own preferences.',
          'Short-lived copies of data read from the product: display names and a few product answers, to keep pages fast.',
          'An audit log of installation events. It never contains secrets or tokens.',
          'In Jira itself: each issue’s checklist progress (numbers only, no text and no people) as an issue property, so that Jira search can find unfinished checklists. Anyone who can see the issue can read it.',
        ],
      },
      {
        id: 'where',
        heading: 'Where it is stored',
        paragraphs: [
          `All of it is kept in ${db(f)}. Every record carries the identifier of its site, and every query is limited to the site that made the request, so one site never sees another site’s data.`,
        ],
      },
      {
        id: 'encryption',
        heading: 'Encryption of secrets at rest',
        paragraphs: [
          `The shared secret of each installation is encrypted with ${f.secretCipher} before it is written, with a key held outside the database (TENANT_SECRET_KEY) and bound to the site it belongs to. Secrets and tokens are never written to logs.`,
          'Checklist content is protected by the encryption of the storage the database runs on.',
        ],
      },
      {
        id: 'access',
        heading: 'Who can access it',
        items: [
          'People on your site see checklists only inside Jira or Confluence, after the product has signed the request for them.',
          'Only site administrators, as the product confirms, can change settings, export the site’s data or delete it.',
          `The operators of ${f.vendorName} who run the service, for operating it. The data is not sold or shared with third parties.`,
        ],
      },
      {
        id: 'transport',
        heading: 'Transport security',
        paragraphs: [
          `The app is served only over HTTPS, with HTTP Strict Transport Security for ${f.hstsMaxAgeDays} days. Every request from Atlassian is verified: a signed token for your site, checked against the exact request. The app calls Atlassian only over HTTPS, signing each call.`,
        ],
      },
      {
        id: 'report',
        heading: 'Reporting a vulnerability',
        paragraphs: ['If you believe you have found a security problem, please tell us privately, with the steps to reproduce it. Please do not test against sites that are not yours.'],
        link: f.securityContact ?? { href: f.vendorUrl, label: f.vendorName },
      },
    ],
  },
  privacy: {
    title: `Data retention and privacy – ${f.appName}`,
    summary: `What ${f.appName} keeps about your site and its people, for how long, and how to have it deleted.`,
    sections: [
      {
        id: 'kept',
        heading: 'What is kept',
        items: [
          'Checklists, their items and who created or checked them (Atlassian account IDs).',
          'Site settings and each person’s preferences.',
          'Cached display names and product data, refreshed regularly.',
          'The installation record of the site and its audit log.',
          'For 3 days, a record of each notification Jira sent the app (event, issue number, time), to recognise a notification Jira sends again.',
        ],
      },
      {
        id: 'retention',
        heading: 'How long',
        paragraphs: [
          'While the app is installed, the data is kept so the app can work.',
          `After the app is uninstalled, the site’s data is kept for ${f.retentionDays} days, so that reinstalling brings everything back. After ${f.retentionDays} days it is deleted from every table, including the installation record and the audit log; a later installation starts empty. ${purge(f)}`,
          'A site that keeps using the app after uninstalling (for example through Atlassian Forge) is not deleted.',
          'When an issue is deleted in Jira, its checklist is deleted from the app at once.',
        ],
      },
      {
        id: 'people',
        heading: 'Personal data',
        paragraphs: [
          f.gdprReportIntervalHours > 0
            ? `The app reports the Atlassian accounts it holds data about to Atlassian’s personal data reporting API once every ${f.gdprCycleDays} days, as Atlassian requires.`
            : 'Reporting to Atlassian’s personal data reporting API is turned off in this deployment.',
          `When Atlassian reports an account as closed, the app deletes that person’s preferences and cached name, and removes their account from checklist items. The items stay, because they are the team’s work, but no longer say who created or checked them. When Atlassian reports that a profile changed, the cached name is refreshed.`,
        ],
      },
      {
        id: 'admins',
        heading: 'How administrators can have it deleted',
        items: [
          'On the app’s administration page: “Export data” downloads everything the app stores for the site as a JSON file.',
          '“Delete all data” removes the site’s checklists, settings, preferences and caches at once, after you type the site address to confirm. The app stays installed and starts empty.',
          `Uninstalling the app starts the ${f.retentionDays}-day period described above.`,
        ],
      },
      {
        id: 'users',
        heading: 'How people can have their data deleted',
        paragraphs: [
          'Closing your Atlassian account removes your data from the app as described above. You can also ask an administrator of your site, or contact us.',
        ],
        link: { href: f.vendorUrl, label: f.vendorName },
      },
    ],
  },
});
