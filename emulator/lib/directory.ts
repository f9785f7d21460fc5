/**
 * The emulated site's people and issues: a few users (one site admin) with Atlassian-style
 * accountIds, two projects and three issues. Fixed values, so tests and screenshots are stable.
 */

export type UserKey = 'admin' | 'user' | 'other';
export type ActingUserKey = UserKey | 'anonymous';

export interface EmuUser {
  key: UserKey;
  accountId: string;
  displayName: string;
  emailAddress: string;
  timeZone: string;
  siteAdmin: boolean;
}

export const USERS: readonly EmuUser[] = [
  {
    key: 'admin',
    accountId: '5b10a2844c20165700ede21g',
    displayName: 'Alana Admin',
    emailAddress: 'alana.admin@example.com',
    timeZone: 'Europe/Berlin',
    siteAdmin: true,
  },
  {
    key: 'user',
    accountId: '5b10ac8d82e05b22cc7d4ef5',
    displayName: 'Uma User',
    emailAddress: 'uma.user@example.com',
    timeZone: 'America/New_York',
    siteAdmin: false,
  },
  {
    key: 'other',
    accountId: '712020:3f4c8a1e-6b2d-4c1a-9e7f-2d5b8c0a1f34',
    displayName: 'Omar Other',
    emailAddress: 'omar.other@example.com',
    timeZone: 'Asia/Tokyo',
    siteAdmin: false,
  },
];

export const ACTING_USERS: readonly { key: ActingUserKey; label: string }[] = [
  { key: 'admin', label: 'Site admin (Alana Admin)' },
  { key: 'user', label: 'Ordinary user (Uma User)' },
  { key: 'other', label: 'Another user (Omar Other)' },
  { key: 'anonymous', label: 'Anonymous' },
];

/** The site's own time zone, used for anonymous viewers. */
export const SITE_TIME_ZONE = 'UTC';

export function userByKey(key: ActingUserKey): EmuUser | undefined {
  return USERS.find((u) => u.key === key);
}

export function userByAccountId(accountId: string | undefined): EmuUser | undefined {
  return accountId ? USERS.find((u) => u.accountId === accountId) : undefined;
}

export interface EmuProject {
  id: string;
  key: string;
  name: string;
}

export interface EmuIssue {
  id: string;
  key: string;
  projectKey: string;
  summary: string;
  description: string;
  type: { id: string; name: string };
  status: string;
  assignee?: UserKey;
  reporter: UserKey;
}

export const PROJECTS: readonly EmuProject[] = [
  { id: '10000', key: 'DEMO', name: 'Demo project' },
  { id: '10010', key: 'OPS', name: 'Operations' },
];

const INITIAL_ISSUES: readonly EmuIssue[] = [
  {
    id: '10001',
    key: 'DEMO-1',
    projectKey: 'DEMO',
    summary: 'Prepare the 2.0 release',
    description: 'Cut the branch, update the changelog, run the release checklist.',
    type: { id: '10002', name: 'Task' },
    status: 'To Do',
    assignee: 'user',
    reporter: 'admin',
  },
  {
    id: '10002',
    key: 'DEMO-2',
    projectKey: 'DEMO',
    summary: 'Login redirect loops on Safari',
    description: 'After signing in, Safari users are sent back to the login page.',
    type: { id: '10004', name: 'Bug' },
    status: 'In Progress',
    assignee: 'other',
    reporter: 'user',
  },
  {
    id: '10011',
    key: 'OPS-1',
    projectKey: 'OPS',
    summary: 'Rotate TLS certificates',
    description: 'Certificates expire next month.',
    type: { id: '10002', name: 'Task' },
    status: 'To Do',
    reporter: 'admin',
  },
  {
    id: '10003',
    key: 'DEMO-3',
    projectKey: 'DEMO',
    summary: 'Write the onboarding guide',
    description: 'Explain setup, first steps and where to ask for help.',
    type: { id: '10002', name: 'Task' },
    status: 'To Do',
    assignee: 'user',
    reporter: 'admin',
  },
  {
    id: '10004',
    key: 'DEMO-4',
    projectKey: 'DEMO',
    summary: 'Migrate CI to the new runners',
    description: 'Move every pipeline to the new runner pool.',
    type: { id: '10002', name: 'Task' },
    status: 'In Progress',
    assignee: 'admin',
    reporter: 'admin',
  },
  {
    id: '10005',
    key: 'DEMO-5',
    projectKey: 'DEMO',
    summary: 'Search results lose their filters',
    description: 'Going back from an issue resets the filters.',
    type: { id: '10004', name: 'Bug' },
    status: 'To Do',
    assignee: 'other',
    reporter: 'user',
  },
  {
    id: '10006',
    key: 'DEMO-6',
    projectKey: 'DEMO',
    summary: 'Quarterly access review',
    description: 'Review who can administer the site.',
    type: { id: '10002', name: 'Task' },
    status: 'To Do',
    assignee: 'admin',
    reporter: 'admin',
  },
  {
    id: '10007',
    key: 'DEMO-7',
    projectKey: 'DEMO',
    summary: 'Plan the team offsite',
    description: 'Dates, venue, agenda.',
    type: { id: '10002', name: 'Task' },
    status: 'To Do',
    assignee: 'user',
    reporter: 'other',
  },
  {
    id: '10008',
    key: 'DEMO-8',
    projectKey: 'DEMO',
    summary: 'Dark mode for the dashboard',
    description: 'Follow the system setting.',
    type: { id: '10002', name: 'Task' },
    status: 'Done',
    assignee: 'other',
    reporter: 'user',
  },
  {
    id: '10012',
    key: 'OPS-2',
    projectKey: 'OPS',
    summary: 'Patch the database servers',
    description: 'Apply the monthly security patches.',
    type: { id: '10002', name: 'Task' },
    status: 'To Do',
    assignee: 'admin',
    reporter: 'admin',
  },
];

/**
 * The site's issues as they are now: deleted and moved in place by the issues extension
 * (emulator/issues), back to the fixed set on `resetIssues()` (the control API's reset).
 */
export const ISSUES: EmuIssue[] = INITIAL_ISSUES.map((i) => ({ ...i }));

export function resetIssues(): void {
  ISSUES.splice(0, ISSUES.length, ...INITIAL_ISSUES.map((i) => ({ ...i })));
}

export function projectByKeyOrId(keyOrId: string): EmuProject | undefined {
  return PROJECTS.find((p) => p.key === keyOrId.toUpperCase() || p.id === keyOrId);
}

export function findIssue(idOrKey: string): EmuIssue | undefined {
  const k = idOrKey.toUpperCase();
  return ISSUES.find((i) => i.id === idOrKey || i.key === k);
}

export function projectOf(issue: EmuIssue): EmuProject {
  return PROJECTS.find((p) => p.key === issue.projectKey)!;
}
