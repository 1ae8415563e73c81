/**
 * The push degrades, it does not crash. The attack (or accident): Redis, which carries the
 * socket.io adapter's cross-instance traffic, goes down. The socket.io Redis adapter fires
 * PUBLISH without handling its promise, so a revocation during the outage used to be an
 * unhandled rejection, which ends a Node process: one logout would take the instance (and its
 * sockets) down. Now the revocation still reaches the sockets of the instance that handled it,
 * the instance keeps serving, and it shuts down cleanly. (jest fails this file on any
 * unhandled rejection.)
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import request from 'supertest';
import { freePort, login, MailCatcher, registerVerified } from '@identity/testing';
import { SessionsSocketClient } from '../../apps/identity/src/ws/client/sessions-socket.client';
import { startTestApp, type TestApp } from '../support/app';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('revocation push with Redis down', () => {
  const mail = new MailCatcher();
  let redis: ChildProcess;
  let app: TestApp;
  const clients: SessionsSocketClient[] = [];

  beforeAll(async () => {
    const smtp = await mail.start();
    const port = await freePort();
    redis = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 50; i++) {
      if (spawnSync('redis-cli', ['-p', String(port), 'ping']).status === 0) break;
      await sleep(100);
    }
    app = await startTestApp({
      label: 'push_redis_down',
      env: { SMTP_URL: `smtp://127.0.0.1:${smtp}`, REDIS_URL: `redis://127.0.0.1:${port}` },
    });
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await app?.close();
    redis?.kill('SIGKILL');
    await mail.stop();
  });

  it('still pushes to local sockets, keeps serving and stops cleanly', async () => {
    const creds = await registerVerified(app.url, mail);
    const doomed = await login(app.url, creds, 'doomed');
    const survivor = await login(app.url, creds, 'survivor');
    const doomedSocket = await SessionsSocketClient.connect(app.url, {
      token: doomed.accessToken,
    });
    const survivorSocket = await SessionsSocketClient.connect(app.url, {
      token: survivor.accessToken,
    });
    clients.push(doomedSocket, survivorSocket);

    redis.kill('SIGKILL');
    await sleep(300);

    // Logout by refresh token needs only Postgres; its denylist write fails and is logged.
    const startedAt = Date.now();
    await request(app.url)
      .post('/auth/logout')
      .send({ refresh_token: doomed.refreshToken })
      .expect(204);
    const { payload, receivedAt } = await doomedSocket.next('revoked', 1_000);
    expect(payload).toMatchObject({ scope: 'session', session_id: doomed.sessionId });
    expect(receivedAt - startedAt).toBeLessThan(1_000);
    expect(await doomedSocket.disconnected()).toBe('io server disconnect');

    await sleep(300);
    expect(survivorSocket.connected).toBe(true);
    expect(survivorSocket.received).toEqual([]);
    await request(app.url).get('/healthz').expect(200);
    expect(app.logs.some((line) => line.includes('socket.io Redis adapter command failed'))).toBe(
      true,
    );
  });
});
