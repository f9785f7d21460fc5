import { createServer } from 'node:net';

/** A port the OS just handed out on 127.0.0.1 (free now; another process may take it later). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** The first free port (and, with `pair`, port + 1) from `start`, stepping by `step`, below `end`. */
export async function pickPort(start: number, end: number, step: number, pair = false): Promise<number> {
  for (let p = start; p + (pair ? 1 : 0) < end; p += step) {
    if ((await portFree(p)) && (!pair || (await portFree(p + 1)))) return p;
  }
  throw new Error(`no free port in ${start}-${end}`);
}
