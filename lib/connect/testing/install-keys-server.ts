import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InstallKeyPair } from './signers';

/** Serves `GET /{kid}` → PEM public key, like connect-install-keys.atlassian.com; counts requests. */
export class InstallKeysServer {
  private readonly keys = new Map<string, string>();
  private server?: Server;
  requests = 0;
  url = '';

  add(pair: InstallKeyPair): void {
    this.keys.set(pair.kid, pair.publicPem);
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => {
      this.requests++;
      const pem = this.keys.get(decodeURIComponent((req.url ?? '/').slice(1)));
      if (req.method !== 'GET' || !pem) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(pem);
    });
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    this.url = `http://${host}:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
