/**
 * The AP.js options each page sets (`data-options` on its AP.js script), chosen on purpose; see
 * README "AP.js options". Atlassian's iframe.js reads them when it loads
 * (https://developer.atlassian.com/cloud/jira/platform/about-the-javascript-api/).
 *
 * - `resize:false` (panel, glance): no library autoresize. With it on, iframe.js appends its
 *   resize sensor into `.ac-content` and rewrites the body's margins as soon as it loads,
 *   possibly before React hydrates the server-rendered shell: a hydration mismatch (React error
 *   #418) and a client re-render of the whole tree. The app sizes the iframe itself instead
 *   (`autoResize` in ./ap.ts: a ResizeObserver on `.ac-content` calling `AP.resize`).
 * - `sizeToParent:true` (admin page, configure page): full-page modules take the product's
 *   content area (the library sizes the iframe to the window, and again when it resizes) and
 *   scroll inside it, the way a settings page in the product does; autoresize is then off.
 * - `margin:false` (every React page): iframe.js would set `body { margin: 0 !important }` inline
 *   before hydration; the app's CSS (@atlaskit/css-reset) already sets body margin 0.
 * - The general page is static HTML with nothing to hydrate: it keeps the library's defaults
 *   (autoresize through the resize sensor in `.ac-content`, margin reset).
 */
export const AP_JS_OPTIONS = {
  panel: 'resize:false;margin:false',
  admin: 'sizeToParent:true;margin:false',
  general: '',
} as const;

export type ApPage = keyof typeof AP_JS_OPTIONS;

/**
 * The AP.js script tag. `id="ac-iframe-options"` is where iframe.js looks for `data-options` first,
 * so the options apply whatever the script's URL (it otherwise matches `/atlassian-connect/all`
 * or the Connect CDN's `/all` in the src). Loaded async: the page must render without it.
 */
export function apScriptTag(src: string, page: ApPage): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const options = AP_JS_OPTIONS[page];
  return `<script src="${esc(src)}"${options ? ` id="ac-iframe-options" data-options="${esc(options)}"` : ''} async></script>`;
}
