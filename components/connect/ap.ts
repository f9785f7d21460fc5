/**
 * The few AP.js calls the app makes, typed, and safe when AP.js is not (yet) there: the page
 * must render even if the product's script is slow or blocked.
 */
interface APLike {
  resize?: (width?: string, height?: string) => void;
  context?: { getToken?: (cb: (token: string) => void) => Promise<string> | void };
  user?: { getLocale?: (cb: (locale: string) => void) => void };
}

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
 * resize (once per frame at most). Returns a function that stops observing.
 */
export function autoResize(el: HTMLElement): () => void {
  let frame = 0;
  let last = -1;
  const send = () => {
    frame = 0;
    const h = Math.ceil(el.getBoundingClientRect().height);
    if (h === last) return;
    last = h;
    ap()?.resize?.('100%', `${h}px`);
  };
  const ro = new ResizeObserver(() => {
    if (!frame) frame = requestAnimationFrame(send);
  });
  ro.observe(el);
  void whenAp().then(send);
  return () => {
    ro.disconnect();
    if (frame) cancelAnimationFrame(frame);
  };
}
