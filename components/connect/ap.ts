/**
 * The few AP.js calls the app makes, typed, and safe when AP.js is not (yet) there: the page
 * must render even if the product's script is slow or blocked.
 */
interface APLike {
  resize?: (width?: string, height?: string) => void;
  context?: { getToken?: (cb: (token: string) => void) => Promise<string> | void };
  user?: { getLocale?: (cb: (locale: string) => void) => void };
  flag?: { create?: (opts: FlagOptions) => unknown };
  navigator?: { go?: (target: string, context: Record<string, string>) => unknown };
}

export interface FlagOptions {
  title: string;
  body?: string;
  type: 'info' | 'success' | 'warning' | 'error';
  close: 'auto' | 'manual';
}

/** Where the product manages apps (licenses), relative to the site: for AP.navigator.go('site'). */
export const MANAGE_APPS_PATH = '/plugins/servlet/upm';

function ap(): APLike | undefined {
  return typeof window === 'undefined' ? undefined : (window as unknown as { AP?: APLike }).AP;
}

/** Waits up to `ms` for AP.js to define window.AP. */
export async function whenAp(ms = 3000): Promise<APLike | undefined> {
  const start = Date.now();
  while (!ap() && Date.now() - start < ms) await new Promise((r) => setTimeout(r, 50));
  return ap();
}

/** A context JWT (`qsh: context-qsh`) from the product, or undefined if AP.js cannot give one. */
export async function contextToken(): Promise<string | undefined> {
  const a = await whenAp();
  const get = a?.context?.getToken;
  if (!get) return undefined;
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(undefined), 5000);
    const maybe = get((token) => {
      clearTimeout(t);
      resolve(token);
    });
    if (maybe && typeof (maybe as Promise<string>).then === 'function') {
      (maybe as Promise<string>).then((token) => {
        clearTimeout(t);
        resolve(token);
      }, () => resolve(undefined));
    }
  });
}

/** The user's locale as the product knows it (used when the page URL carried no `loc`). */
export async function productLocale(): Promise<string | undefined> {
  const a = await whenAp();
  const get = a?.user?.getLocale;
  if (!get) return undefined;
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(undefined), 2000);
    get((locale) => {
      clearTimeout(t);
      resolve(locale);
    });
  });
}

/**
 * Keeps the iframe as tall as its content: observes `.ac-content` and asks the product to
 * resize (once per frame at most). The panel sets AP.js `resize:false` (./ap-options.ts), so this
 * is the only thing sizing its iframe. Returns a function that stops observing.
 */
export function autoResize(el: HTMLElement): () => void {
  let frame = 0;
  let last = -1;
  const send = () => {
    frame = 0;
    const h = Math.ceil(el.getBoundingClientRect().height);
    const resize = ap()?.resize;
    // Only a height the product was told counts as sent: before AP.js arrives, nothing is.
    if (h === last || !resize) return;
    last = h;
    resize('100%', `${h}px`);
  };
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(send);
  };
  const ro = new ResizeObserver(schedule);
  ro.observe(el);
  // AP.js loads async and may arrive after the last size change: send once it has run (the
  // script carries the options, ./ap-options.ts), however long that takes on a slow machine.
  const script = document.getElementById('ac-iframe-options');
  if (ap()) schedule();
  else script?.addEventListener('load', schedule, { once: true });
  return () => {
    ro.disconnect();
    script?.removeEventListener('load', schedule);
    if (frame) cancelAnimationFrame(frame);
  };
}

/**
 * Shows a product flag (AP.flag.create). Returns false when AP.js is not there (yet), so the
 * caller can show its own message instead.
 */
export function showFlag(opts: FlagOptions): boolean {
  const create = ap()?.flag?.create;
  if (!create) return false;
  create(opts);
  return true;
}

/**
 * Asks the product page to navigate (AP.navigator.go): the iframe never navigates the top window
 * itself. Returns false when AP.js is not there, so a link can fall back to its href.
 */
export function navigate(target: 'site' | 'issue' | 'addonModule', context: Record<string, string>): boolean {
  const go = ap()?.navigator?.go;
  if (!go) return false;
  const result = go(target, context) as Promise<unknown> | undefined;
  // A target the product cannot open rejects; AP.js reports it as a console warning already.
  if (result && typeof result.catch === 'function') result.catch(() => undefined);
  return true;
}
