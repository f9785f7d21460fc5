/**
 * Runs once when the server starts: validates the configuration, so a bad setting stops the app
 * with a clear message before it serves anything.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { preflight } = await import('./lib/app/preflight');
  preflight();
}
