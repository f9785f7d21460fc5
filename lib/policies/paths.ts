/** Where the published policies live (client-safe: the descriptor and the admin page link here). */
export const POLICY_PATHS = { security: '/security', privacy: '/privacy' } as const;
