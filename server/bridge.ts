import type { IncomingMessage, ServerResponse } from 'node:http';
import { delegateToReal, pendingBodyText, TAKES_STRING_ANSWERS } from 'atlassian-connect-next';

/**
 * Node's request and response to the Fetch API and back, for route handlers the app server
 * answers itself. The Request's URL is built on the app's own base URL, never on the Host header
 * (handlers read only its path and query; qsh is computed against the configured base URL).
 */
/**
 * What is left of a request body after the answer: at most this much is read and dropped; past it
 * the connection is closed. Above every body cap the app sets (webhooks 5 MB), so a sender whose
 * body was refused as too large reads the 413 (a product seeing a reset instead retries a webhook
 * for half an hour); a client still sending past it is cut off.
 */
export const DRAIN_LIMIT_BYTES = 8 * 1024 * 1024;

export interface BridgedRequest {
  request: Request;
  /**
   * Call once the answer is sent. A handler may answer without reading the whole body (a refusal
   * before reading, a capped body): the rest must still leave the socket, or the next request on
   * this kept-alive connection is never parsed. Up to DRAIN_LIMIT_BYTES is read and dropped; a
   * client still sending past that is cut off.
   */
  finish(): void;
  /** The client went away before the answer was complete: the request's signal aborts. */
  abort(): void;
  /** abort() was called. */
  readonly aborted: boolean;
}

export function toRequest(req: IncomingMessage, origin: string, asMethod?: string): BridgedRequest {
  const method = asMethod ?? req.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD') return bodiless(req, origin, method);
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const body = bodyOf(req);
  const ac = new AbortController();
  const request = new Request(new URL(req.url ?? '/', origin), {
    method,
    headers,
    body: body.stream,
    signal: ac.signal,
    duplex: 'half',
  } as RequestInit);
  // This server writes the framework's string answers as they are (sendResponse).
  Object.defineProperty(request, TAKES_STRING_ANSWERS, { value: true });
  return {
    request,
    finish: () => body.drop(DRAIN_LIMIT_BYTES),
    abort: () => ac.abort(),
    get aborted() {
      return ac.signal.aborted;
    },
  };
}

/**
 * A request without a body (GET, HEAD: every page load and API read) as a Request whose parts
 * are made when a handler reads them. A fetch Request costs more than the Connect check of the
 * page it carries (issue 13): its constructor parses the URL, copies every header through
 * WebIDL checks and creates an AbortSignal that follows the one given, two signals per request.
 * Here `url` and `headers` are built on first read, the signal only if a handler asks for it,
 * and anything else a Request has (clone, text, cache, …) is answered by a real Request made
 * then from the same parts.
 */
function bodiless(req: IncomingMessage, origin: string, method: string): BridgedRequest {
  let ac: AbortController | undefined;
  let aborted = false;
  const request = new LazyRequest(req, origin, method, () => {
    if (!ac) {
      ac = new AbortController();
      if (aborted) ac.abort();
    }
    return ac.signal;
  });
  return {
    request: request as unknown as Request,
    finish: () => undefined,
    abort: () => {
      aborted = true;
      ac?.abort();
    },
    get aborted() {
      return aborted;
    },
  };
}

class LazyRequest {
  /** This server writes the framework's string answers as they are (sendResponse). */
  readonly [TAKES_STRING_ANSWERS] = true;
  #url?: string;
  #headers?: Headers;
  #real?: Request;

  constructor(
    private readonly incoming: IncomingMessage,
    private readonly origin: string,
    readonly method: string,
    private readonly signalOf: () => AbortSignal,
  ) {}

  get url(): string {
    // The same string a Request would hold: the WHATWG parser normalises the path as it does there.
    return (this.#url ??= new URL(this.incoming.url ?? '/', this.origin).href);
  }

  get headers(): Headers {
    if (!this.#headers) {
      const headers = new Headers();
      const raw = this.incoming.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
      this.#headers = headers;
    }
    return this.#headers;
  }

  get signal(): AbortSignal {
    return this.signalOf();
  }

  get body(): null {
    return null;
  }

  get bodyUsed(): boolean {
    return false;
  }

  /** The real Request, for whatever else is read (made once, on the same URL, headers and signal). */
  real(): Request {
    return (this.#real ??= new Request(this.url, { method: this.method, headers: this.headers, signal: this.signal }));
  }

  get [Symbol.toStringTag](): string {
    return 'Request';
  }
}

// Every other member of Request (clone, text, json, arrayBuffer, cache, mode, …) answers from the real one.
delegateToReal(LazyRequest.prototype, Request.prototype);

/**
 * The request body as a web stream that reads from the socket only when pulled (Node's
 * Readable.toWeb keeps the request paused once its queue is full and never lets go, so an unread
 * remainder would stall the connection), and that can be detached and drained afterwards.
 */
function bodyOf(req: IncomingMessage): { stream: ReadableStream<Uint8Array>; drop(limit: number): void } {
  let ctrl!: ReadableStreamDefaultController<Uint8Array>;
  let settled = false;
  const detach = () => {
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onError);
    req.off('close', onClose);
  };
  const onData = (chunk: Buffer) => {
    ctrl.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if ((ctrl.desiredSize ?? 0) <= 0) req.pause();
  };
  const onEnd = () => {
    settled = true;
    detach();
    ctrl.close();
  };
  const onError = (err: Error) => {
    settled = true;
    detach();
    ctrl.error(err);
  };
  const onClose = () => {
    if (!settled && !req.complete) onError(new Error('the client closed the request before its body ended'));
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        ctrl = c;
        req.on('data', onData);
        req.on('end', onEnd);
        req.on('error', onError);
        req.on('close', onClose);
        req.pause();
      },
      pull() {
        req.resume();
      },
      cancel() {
        settled = true;
        detach();
        req.pause();
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
  return {
    stream,
    drop(limit) {
      if (req.complete || req.destroyed) return;
      if (!settled) {
        settled = true;
        detach();
      }
      let dropped = 0;
      req.on('data', (chunk: Buffer) => {
        dropped += chunk.byteLength;
        if (dropped > limit) req.socket?.destroy();
      });
      req.on('error', () => undefined);
      req.resume();
    },
  };
}

export async function sendResponse(res: ServerResponse, response: Response, extraHeaders: Record<string, string>, opts: { head?: boolean } = {}): Promise<void> {
  res.statusCode = response.status;
  for (const [k, v] of response.headers) {
    if (k === 'set-cookie') continue;
    res.setHeader(k, v);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length) res.setHeader('set-cookie', cookies);
  for (const [k, v] of Object.entries(extraHeaders)) if (!res.hasHeader(k)) res.setHeader(k, v);
  // A string answer (jsonResponse, textResponse) goes out as it is, with its length, in one write.
  const text = pendingBodyText(response);
  if (text !== undefined) {
    const bytes = Buffer.from(text);
    if (!res.hasHeader('content-length')) res.setHeader('content-length', bytes.byteLength);
    await ended(res, opts.head ? undefined : bytes);
    return;
  }
  if (!response.body || opts.head) {
    await response.body?.cancel();
    res.end();
    return;
  }
  await pump(response.body.getReader(), res);
}

/**
 * The body onto the socket. A body made from a string or buffer (every page and JSON answer)
 * arrives as one chunk: it is sent with its length in one write together with the headers. A
 * longer body (a streamed export) is written chunk by chunk, waiting for the socket to drain.
 * (Readable.fromWeb + pipeline did the same at about a tenth of the request's CPU: issue 13.)
 */
async function pump(reader: ReadableStreamDefaultReader<Uint8Array>, res: ServerResponse): Promise<void> {
  const gone = () => res.destroyed || res.writableEnded;
  try {
    const first = await reader.read();
    if (first.done) {
      res.end();
      return;
    }
    const second = await reader.read();
    if (second.done) {
      if (!res.headersSent && !res.hasHeader('content-length')) res.setHeader('content-length', first.value.byteLength);
      await ended(res, first.value);
      return;
    }
    if (!res.write(first.value)) await drained(res);
    for (let c: ReadableStreamReadResult<Uint8Array> = second; !c.done; c = await reader.read()) {
      if (gone()) throw new Error('the client closed the connection mid-answer');
      if (!res.write(c.value)) await drained(res);
    }
    await ended(res);
  } catch (err) {
    await reader.cancel(err).catch(() => undefined);
    throw err;
  } finally {
    reader.releaseLock();
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error('the client closed the connection mid-answer'));
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

/** `res.end()` that settles once the answer is handed to the socket (or the connection is gone). */
function ended(res: ServerResponse, last?: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const onClose = () => (res.writableFinished ? resolve() : reject(new Error('the client closed the connection mid-answer')));
    res.once('close', onClose);
    res.end(last, () => {
      res.off('close', onClose);
      resolve();
    });
  });
}
