import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsScrape } from './metrics-scrape';

export interface MetricsServer {
  /** `http://host:port`, the port being the one bound (`METRICS_PORT=0` picks a free one). */
  url: string;
  close(): Promise<void>;
}

/**
 * The `METRICS_PORT` listener: `GET /metrics` and nothing else (404), no Nest pipeline, no
 * request logs. A port of its own lets a NetworkPolicy or firewall keep it off the public
 * side while the main port stays public.
 */
export async function startMetricsServer(
  scrape: MetricsScrape,
  options: { host: string; port: number },
): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    scrape.render().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => res.writeHead(500, { 'Content-Type': 'text/plain' }).end('scrape failed\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
