/**
 * A minimal W3C WebDriver client (just what the WebKit smoke test needs): WebKitGTK's
 * WebKitWebDriver speaks plain WebDriver, not Playwright's protocol.
 * https://www.w3.org/TR/webdriver2/
 */

/**
 * An element reference as the driver returned it. The spec's key is
 * `element-6066-11e4-a837-4c35d8d6e5f4`; WebKitWebDriver 2.50 answers with another key, so the
 * reference is passed back as received and its id read from its only value.
 */
export type ElementRef = Record<string, string>;
const idOf = (el: ElementRef): string => Object.values(el)[0]!;

export class WebDriverError extends Error {}

export class Session {
  constructor(
    private readonly base: string,
    readonly id: string,
  ) {}

  static async create(base: string, capabilities: Record<string, unknown>): Promise<Session> {
    const res = await call(base, 'POST', '/session', { capabilities: { alwaysMatch: capabilities } });
    return new Session(base, (res as { sessionId: string }).sessionId);
  }

  private cmd(method: string, path: string, body?: unknown): Promise<unknown> {
    return call(this.base, method, `/session/${this.id}${path}`, body);
  }

  async go(url: string): Promise<void> {
    await this.cmd('POST', '/url', { url });
  }

  /** Finds an element, retrying until `timeoutMs` (content inside iframes renders late). */
  async find(css: string, timeoutMs = 20_000): Promise<ElementRef> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return (await this.cmd('POST', '/element', { using: 'css selector', value: css })) as ElementRef;
      } catch (err) {
        if (Date.now() > deadline) throw new WebDriverError(`${css} not found: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  async frame(el: ElementRef | null): Promise<void> {
    await this.cmd('POST', '/frame', { id: el });
  }

  async top(): Promise<void> {
    await this.cmd('POST', '/frame', { id: null });
  }

  async text(el: ElementRef): Promise<string> {
    return (await this.cmd('GET', `/element/${idOf(el)}/text`)) as string;
  }

  async attribute(el: ElementRef, name: string): Promise<string | null> {
    return (await this.cmd('GET', `/element/${idOf(el)}/attribute/${name}`)) as string | null;
  }

  async type(el: ElementRef, text: string): Promise<void> {
    await this.cmd('POST', `/element/${idOf(el)}/value`, { text });
  }

  /** Types into whatever has focus, key by key (the Actions API). */
  async keys(text: string): Promise<void> {
    const actions = [...text].flatMap((ch) => [
      { type: 'keyDown', value: ch },
      { type: 'keyUp', value: ch },
    ]);
    await this.cmd('POST', '/actions', { actions: [{ type: 'key', id: 'keyboard', actions }] });
    await this.cmd('DELETE', '/actions');
  }

  async click(el: ElementRef): Promise<void> {
    await this.cmd('POST', `/element/${idOf(el)}/click`, {});
  }

  /** Runs an async script; it resolves by calling its last argument. */
  async executeAsync<T>(script: string, args: unknown[] = []): Promise<T> {
    return (await this.cmd('POST', '/execute/async', { script, args })) as T;
  }

  async execute<T>(script: string, args: unknown[] = []): Promise<T> {
    return (await this.cmd('POST', '/execute/sync', { script, args })) as T;
  }

  async waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn().catch(() => undefined);
      if (v) return v;
      if (Date.now() > deadline) throw new WebDriverError(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async close(): Promise<void> {
    await call(this.base, 'DELETE', `/session/${this.id}`).catch(() => undefined);
  }
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const json = (await res.json()) as { value: unknown };
  if (!res.ok) {
    const v = json.value as { error?: string; message?: string };
    throw new WebDriverError(`${method} ${path}: ${v?.error ?? res.status} ${v?.message ?? ''}`);
  }
  return json.value;
}
