/** Input limits shared by the API (enforced) and the UI (shown before a request is sent). */
export const CHECKLIST_LIMITS = {
  /** Characters in one item's text. */
  itemText: 500,
  /** Items on one issue's checklist. */
  itemsPerChecklist: 200,
  /** Bytes in any JSON request body of the app's API. */
  bodyBytes: 16 * 1024,
  /** Items in the admin's default checklist. */
  templateItems: 50,
  /** Project keys an admin can list. */
  projectKeys: 200,
} as const;
