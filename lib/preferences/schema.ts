import { z } from 'zod';

/** One person's preferences on one site, the same on every issue. Client-safe. */
export const preferencesSchema = z.strictObject({
  hideCompleted: z.boolean(),
});

export type Preferences = z.infer<typeof preferencesSchema>;

export const DEFAULT_PREFERENCES: Preferences = { hideCompleted: false };

/** PUT /api/preferences: any subset; unknown keys refused. */
export const savePreferencesBody = preferencesSchema.partial().refine((p) => Object.keys(p).length > 0, { message: 'Nothing to save' });
