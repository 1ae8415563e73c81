/**
 * The MFA login on the embedded default (`npm start` with no configuration): PGlite, whose
 * pool is a single connection, and the in-memory kv. A query issued outside the login's
 * transaction while it holds that connection would wait forever, so this runs the whole
 * enrol → login → verify flow as a real process on the embedded database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { freePort, login, MailCatcher, registerVerified } from '@identity/testing';
import { spawnIdentity, waitForHttp } from '../support/process';
import { claimsOf, codeFor, enrol, passwordStep, steadyStep } from './mfa.helpers';

describe('MFA on the embedded default', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'identity-mfa-embedded-'));
  const mail = new MailCatcher();
  afterAll(async () => {
    await mail.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('enrols and completes a login with a TOTP code and with a recovery code', async () => {
    const smtp = await mail.start();
    const port = await freePort();
    const p = spawnIdentity({
      PORT: String(port),
      GRPC_PORT: String(await freePort()),
      DATA_DIR: dataDir,
      SMTP_URL: `smtp://127.0.0.1:${smtp}`,
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForHttp(`${url}/healthz`, p, 60_000);
      expect(p.stdout()).toMatch(/database: embedded PGlite/);
      const creds = await registerVerified(url, mail);
      const session = await login(url, creds);
      const step = await steadyStep(10);
      const { secret, recoveryCodes } = await enrol(url, session.accessToken, creds.password, step);

      const otp = await request(url)
        .post('/auth/mfa/verify')
        .timeout(10_000)
        .send({ mfa_token: await passwordStep(url, creds), code: codeFor(secret, step) });
      expect(otp.status).toBe(200);
      expect(claimsOf(otp.body.access_token).amr).toEqual(['pwd', 'otp']);

      const rec = await request(url)
        .post('/auth/mfa/verify')
        .timeout(10_000)
        .send({ mfa_token: await passwordStep(url, creds), recovery_code: recoveryCodes[0]! });
      expect(rec.status).toBe(200);
      expect(claimsOf(rec.body.access_token).amr).toEqual(['pwd', 'rec']);
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  }, 120_000);
});
