import type { EntityPropertyModule } from 'atlassian-connect-next';

/**
 * The checklist's progress as a Jira issue property, so people can search for it in JQL
 * (`checklistRemaining > 0`, `checklistComplete = false`, `checklistDone >= 3`). The value holds
 * counts only: anyone who can see the issue can read it, so no text and no people.
 *
 * JQL compares a field with a value, never two fields (`checklistDone < checklistTotal` is not
 * valid JQL), hence `remaining` beside `total` and `done`.
 * `complete` is a JSON boolean extracted as `string`: Jira indexes it as "true"/"false"
 * (unconfirmed in Atlassian's docs, which list no boolean type; the emulator does the same).
 * No server imports: the descriptor and the Forge manifest generator read the module below.
 */
export interface ChecklistPropertyValue {
  total: number;
  done: number;
  remaining: number;
  complete: boolean;
}

/** The property key: under the app's key, so no other app writes it. */
export function checklistPropertyKey(appKey: string): string {
  return `${appKey}.checklist`;
}

export const CHECKLIST_JQL_ALIASES = {
  total: 'checklistTotal',
  done: 'checklistDone',
  remaining: 'checklistRemaining',
  complete: 'checklistComplete',
} as const;

/** The `jiraEntityProperties` module: the fields above, indexed for JQL under readable aliases. */
export function checklistPropertyModule(appKey: string): EntityPropertyModule {
  return {
    key: 'checklist-progress',
    name: { value: 'Checklist progress', i18n: 'checklist.property.name' },
    entityType: 'issue',
    keyConfigurations: [
      {
        propertyKey: checklistPropertyKey(appKey),
        extractions: [
          { objectName: 'total', type: 'number', alias: CHECKLIST_JQL_ALIASES.total },
          { objectName: 'done', type: 'number', alias: CHECKLIST_JQL_ALIASES.done },
          { objectName: 'remaining', type: 'number', alias: CHECKLIST_JQL_ALIASES.remaining },
          { objectName: 'complete', type: 'string', alias: CHECKLIST_JQL_ALIASES.complete },
        ],
      },
    ],
  };
}

export function propertyValue(total: number, done: number): ChecklistPropertyValue {
  return { total, done, remaining: total - done, complete: total > 0 && done === total };
}
