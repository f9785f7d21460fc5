/**
 * Runs once when the server starts: validates configuration and opens (and migrates) the
 * database before the first request, so a bad setting stops the app with a clear message.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startServer } = await import('./lib/app/startup');
  await startServer();
}
