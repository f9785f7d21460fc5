/** The confirmation matches the site host, ignoring case and surrounding spaces. */
export function confirmMatches(input: string, host: string): boolean {
  return input.trim().toLowerCase() === host.trim().toLowerCase() && host.trim() !== '';
}
