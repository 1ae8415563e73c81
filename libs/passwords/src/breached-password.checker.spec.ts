import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@identity/config';
import { BreachedPasswordChecker } from './breached-password.checker';

const breachedPassword = 'Tr0ub4dor&3-horse';
const cleanPassword = 'a password nobody has ever leaked 7f3a';

function sha1(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex').toUpperCase();
}

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
}

/** A range API on loopback that lists `breachedPassword`, among padding, for its prefix. */
async function startRangeServer(
  handle?: (url: string) => {
    status?: number;
    body?: string;
    hang?: boolean;
    location?: string;
  },
): Promise<{ server: Server; base: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    seen.push({ url, headers: req.headers });
    const custom = handle?.(url);
    if (custom?.hang) return; // never answers
    const digest = sha1(breachedPassword);
    const lines = [
      '0018A45C4D1DEF81644B54AB7F969B88D65:3',
      // Lower-case on purpose: suffixes compare case-insensitively.
      `${digest.slice(5).toLowerCase()}:42`,
      '00D4F6E8FA6EECAD2A3AA415EEC418D38EC:0',
    ];
    const body = url === `/range/${digest.slice(0, 5)}` ? lines.join('\r\n') : lines[0]!;
    res.writeHead(custom?.status ?? 200, {
      'content-type': 'text/plain',
      ...(custom?.location ? { location: custom.location } : {}),
    });
    res.end(custom?.body ?? body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${port}`, seen };
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function checker(base: string | undefined, timeoutMs = 1000): BreachedPasswordChecker {
  return new BreachedPasswordChecker(
    loadConfig({
      NODE_ENV: 'test',
      ...(base ? { BREACHED_PASSWORD_API_URL: base } : {}),
      BREACHED_PASSWORD_TIMEOUT_MS: String(timeoutMs),
    }),
  );
}

describe('BreachedPasswordChecker', () => {
  let warn: jest.SpyInstance;
  const servers: Server[] = [];

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    warn.mockRestore();
    await Promise.all(servers.splice(0).map(stop));
  });

  async function server(handle?: Parameters<typeof startRangeServer>[0]) {
    const started = await startRangeServer(handle);
    servers.push(started.server);
    return started;
  }

  /** Fails if a warning carries the password or any part of its SHA-1 beyond what is public. */
  function expectNoSecretsLogged(password: string): void {
    const logged = JSON.stringify(warn.mock.calls);
    expect(logged).not.toContain(password);
    expect(logged.toUpperCase()).not.toContain(sha1(password).slice(0, 5));
  }

  it('finds a listed password, sending only the 5-character prefix with padding asked for', async () => {
    const { base, seen } = await server();
    await expect(checker(base).isBreached(breachedPassword)).resolves.toBe(true);

    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request!.url).toBe(`/range/${sha1(breachedPassword).slice(0, 5)}`);
    expect(request!.url).toMatch(/^\/range\/[0-9A-F]{5}$/);
    expect(request!.url).not.toContain(encodeURIComponent(breachedPassword));
    expect(request!.headers['add-padding']).toBe('true');
    const everythingSent = JSON.stringify(request);
    expect(everythingSent).not.toContain(breachedPassword);
    expect(everythingSent).not.toContain(sha1(breachedPassword).slice(5));
    expect(warn).not.toHaveBeenCalled();
  });

  it('accepts a base URL with a trailing slash', async () => {
    const { base, seen } = await server();
    await expect(checker(`${base}/`).isBreached(breachedPassword)).resolves.toBe(true);
    expect(seen[0]!.url).toMatch(/^\/range\/[0-9A-F]{5}$/);
  });

  it('does not flag an unlisted password', async () => {
    const { base } = await server();
    await expect(checker(base).isBreached(cleanPassword)).resolves.toBe(false);
    expect(warn).not.toHaveBeenCalled();
  });

  it('ignores padding entries (count 0) even when the suffix matches', async () => {
    const suffix = sha1(cleanPassword).slice(5);
    const { base } = await server(() => ({ body: `${suffix}:0\r\nABCDEF:0` }));
    await expect(checker(base).isBreached(cleanPassword)).resolves.toBe(false);
  });

  it('makes no request and answers false when no API is configured', async () => {
    const { seen } = await server();
    await expect(checker(undefined).isBreached(breachedPassword)).resolves.toBe(false);
    expect(seen).toHaveLength(0);
    expect(warn).not.toHaveBeenCalled();
  });

  it('fails open, with one warning, when nothing listens on the port', async () => {
    const closed = await startRangeServer();
    await stop(closed.server);
    await expect(checker(closed.base).isBreached(breachedPassword)).resolves.toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(warn.mock.calls)).toContain('ECONNREFUSED');
    expectNoSecretsLogged(breachedPassword);
  });

  it('fails open, with one warning, when the API answers an error status', async () => {
    const { base } = await server(() => ({ status: 503, body: 'down' }));
    await expect(checker(base).isBreached(breachedPassword)).resolves.toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(warn.mock.calls)).toContain('503');
    expectNoSecretsLogged(breachedPassword);
  });

  it('does not follow a redirect, which could carry the prefix elsewhere', async () => {
    const { base, seen } = await server((url) =>
      url.startsWith('/range/') ? { status: 302, body: '', location: '/elsewhere' } : {},
    );
    await expect(checker(base).isBreached(breachedPassword)).resolves.toBe(false);
    expect(seen).toHaveLength(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expectNoSecretsLogged(breachedPassword);
  });

  it('fails open, with one warning, when the API is slower than the timeout', async () => {
    const { base, seen } = await server(() => ({ hang: true }));
    const started = performance.now();
    await expect(checker(base, 200).isBreached(breachedPassword)).resolves.toBe(false);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(seen).toHaveLength(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(warn.mock.calls)).toContain('200 ms');
    expectNoSecretsLogged(breachedPassword);
  });
});
