/**
 * Set (to true) on a Request by a server that writes string answers as they are (see
 * pendingBodyText), as the reference app's server marks every request it hands a handler. The
 * route wrappers answer such a request with the handler's string answer; any other caller (Next,
 * which accepts only a real Response, tests, another server) gets a real Response made from it.
 */
export const TAKES_STRING_ANSWERS: unique symbol = Symbol.for('atlassian-connect-next.takes-string-answers');

/** The answer for this request: a string answer as it is if the request's server takes them, else a real Response. */
export function answerFor(req: Request, response: Response): Response {
  const r = response as unknown;
  if (!(r instanceof StringResponse) || (req as unknown as Record<symbol, unknown>)[TAKES_STRING_ANSWERS] === true) return response;
  return r.real();
}

/**
 * Answers whose body is one string known at once (a JSON document, a page), as Responses that
 * make their body stream only if someone reads it. A fetch Response builds a ReadableStream for
 * any body it is given, and a server reads it back chunk by chunk: on the app's hottest routes
 * (the panel page, the checklist read) that costs more than the Connect check (issue 13). A
 * server that knows this class (the app server's bridge) writes `bodyText` straight to the
 * socket; the route wrappers hand it only to such a server (answerFor), and to whoever else
 * holds one (a wrapper adding headers, a test) it is a Response: `status`
 * and `headers` are its own, and every other member (`json()`, `text()`, `body`, `clone()`, …)
 * is answered by a real Response made then from the same parts.
 */
export class StringResponse {
  readonly status: number;
  readonly statusText: string;
  #headers: Headers;
  #real?: Response;

  constructor(
    /** The body, sent as UTF-8. */
    readonly bodyText: string,
    init: ResponseInit & { contentType: string },
  ) {
    const status = init.status ?? 200;
    // As the Response constructor checks them.
    if (!Number.isInteger(status) || status < 200 || status > 599) throw new RangeError(`status ${status} is not in 200-599`);
    if (status === 204 || status === 205 || status === 304) throw new TypeError(`a ${status} answer has no body`);
    this.status = status;
    this.statusText = init.statusText ?? '';
    this.#headers = new Headers(init.headers);
    if (!this.#headers.has('content-type')) this.#headers.set('content-type', init.contentType);
  }

  /** Its headers; once the real Response is made, that one's (made with a copy of these). */
  get headers(): Headers {
    return this.#real ? this.#real.headers : this.#headers;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  /** The real Response was made (its body may have been read): a server sends that one. */
  get materialised(): boolean {
    return this.#real !== undefined;
  }

  /** The real Response, made once from the body, status and headers as they are then. */
  real(): Response {
    return (this.#real ??= new Response(this.bodyText, { status: this.status, statusText: this.statusText, headers: this.#headers }));
  }

  get [Symbol.toStringTag](): string {
    return 'Response';
  }

  static {
    // Every other member of Response answers from the real one.
    delegateToReal(StringResponse.prototype, Response.prototype);
  }
}

/**
 * Gives `target` (the prototype of a class with a `real()` method) every member of `source` it
 * does not define itself, each answered by `this.real()`: methods called on it, getters read
 * from it. How a lazily made Request or Response stays a whole one to whoever reads more of it.
 */
export function delegateToReal(target: object, source: object): void {
  for (const name of Object.getOwnPropertyNames(source)) {
    if (name === 'constructor' || Object.prototype.hasOwnProperty.call(target, name)) continue;
    const d = Object.getOwnPropertyDescriptor(source, name)!;
    Object.defineProperty(target, name, {
      configurable: true,
      ...(typeof d.value === 'function'
        ? {
            value(this: { real(): Record<string, unknown> }, ...args: unknown[]) {
              const r = this.real();
              return (r[name] as (...a: unknown[]) => unknown).apply(r, args);
            },
          }
        : {
            get(this: { real(): Record<string, unknown> }) {
              return this.real()[name];
            },
          }),
    });
  }
}

/** `Response.json(data, init)` without the stream: `Content-Type: application/json` unless init sets one. */
export function jsonResponse(data: unknown, init: ResponseInit = {}): Response {
  const text = JSON.stringify(data);
  if (text === undefined) throw new TypeError('the value cannot be serialised as JSON');
  return new StringResponse(text, { ...init, contentType: 'application/json' }) as unknown as Response;
}

/** `new Response(text, init)` without the stream (`text/plain;charset=UTF-8` unless init sets a type). */
export function textResponse(text: string, init: ResponseInit = {}): Response {
  return new StringResponse(text, { ...init, contentType: 'text/plain;charset=UTF-8' }) as unknown as Response;
}

/** The string body of an answer made by jsonResponse/textResponse whose body nobody has read, else undefined. */
export function pendingBodyText(response: Response): string | undefined {
  const r = response as unknown;
  return r instanceof StringResponse && !r.materialised ? r.bodyText : undefined;
}
