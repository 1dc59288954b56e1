import { once } from 'node:events';
import { createServer, request, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * A gateway on loopback that publishes an app under a path prefix and strips the prefix
 * before passing each request on, as a reverse proxy that mounts the service at /careers
 * does: the outside world (Twilio) uses /careers/v1/..., the app sees /v1/....
 */
export class PrefixProxy {
  private constructor(
    private readonly server: Server,
    /** The public base URL, prefix included: what PUBLIC_BASE_URL is set to behind it. */
    readonly url: string,
  ) {}

  static async start(prefix: string, target: string): Promise<PrefixProxy> {
    const server = createServer((req, res) => {
      const path = req.url ?? '';
      if (!path.startsWith(`${prefix}/`)) return void res.writeHead(404).end();
      const upstream = request(`${target}${path.slice(prefix.length)}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new PrefixProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}${prefix}`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
