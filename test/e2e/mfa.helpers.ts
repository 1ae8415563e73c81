/**
 * Test-side TOTP, written from RFC 4226/6238 with node:crypto and nothing of the server's
 * (not otplib), so a server that computes codes wrongly cannot agree with it by accident. Its
 * own correctness is proven against the RFC 6238 SHA-1 vectors (mfa.enrolment.e2e-spec.ts).
 */
import { createHmac } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { ManualClock } from '../support/clock';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const PERIOD = 30;

/** RFC 4648 base32 (no padding needed). */
export function base32Decode(input: string): Buffer {
  let bits = '';
  for (const c of input.replace(/=+$/, '').toUpperCase()) {
    const v = BASE32.indexOf(c);
    if (v < 0) throw new Error(`not base32: ${c}`);
    bits += v.toString(2).padStart(5, '0');
  }
  return Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
}

/** RFC 4226 HOTP with HMAC-SHA1 and dynamic truncation. */
export function hotp(key: Buffer, counter: number, digits = 6): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(msg).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** RFC 6238 TOTP (T0 = 0, 30 s steps) at Unix time `seconds`. */
export function totpAt(key: Buffer, seconds: number, digits = 6): string {
  return hotp(key, Math.floor(seconds / PERIOD), digits);
}

/** The code of a base32 secret for time step `step`. */
export function codeFor(secret: string, step: number): string {
  return hotp(base32Decode(secret), step);
}

export const currentStep = (nowMs = Date.now()): number => Math.floor(nowMs / 1000 / PERIOD);

/**
 * A time step whose codes stay valid for the test: the server accepts steps S-1..S+1, so codes
 * of S-1, S and S+1 then all work while the server's time stays inside S.
 * - With the app's `ManualClock`: puts it in the middle of the current step (no waiting; the
 *   clock only moves when the test moves it).
 * - With a margin in seconds (an app running as a process, on the real clock): waits, if need
 *   be, until at least that much is left in the current step.
 */
export async function steadyStep(clockOrMargin: ManualClock | number = 6): Promise<number> {
  if (clockOrMargin instanceof ManualClock) {
    // Only ever forward (tokens minted a moment ago must not be from the future): the middle
    // of this step if it is still ahead, else the middle of the next one.
    const nowMs = clockOrMargin.nowMs();
    let step = currentStep(nowMs);
    if (nowMs > (step * PERIOD + PERIOD / 2) * 1000) step += 1;
    clockOrMargin.set(new Date((step * PERIOD + PERIOD / 2) * 1000));
    return step;
  }
  const left = PERIOD - ((Date.now() / 1000) % PERIOD);
  if (left < clockOrMargin) await new Promise((r) => setTimeout(r, left * 1000 + 50));
  return currentStep();
}

/** The claims of a JWT (no verification: the server's JWKS tests do that). */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

/** One query against the app's database, as an operator (or an attacker with a dump) sees it. */
export async function queryDb<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export interface Enrolled {
  secret: string;
  recoveryCodes: string[];
  /** The step of the code that confirmed the enrolment (now used up). */
  confirmedStep: number;
}

/**
 * Enrols TOTP through the API with the step before `step` (so S and S+1 remain for logins).
 */
export async function enrol(
  url: string,
  accessToken: string,
  password: string,
  step: number,
): Promise<Enrolled> {
  const setup = await request(url)
    .post('/auth/mfa/totp/setup')
    .set('Authorization', `Bearer ${accessToken}`)
    .send({ password });
  if (setup.status !== 200) throw new Error(`setup answered ${setup.status}: ${setup.text}`);
  const secret = setup.body.secret as string;
  const confirm = await request(url)
    .post('/auth/mfa/totp/confirm')
    .set('Authorization', `Bearer ${accessToken}`)
    .send({ code: codeFor(secret, step - 1) });
  if (confirm.status !== 200)
    throw new Error(`confirm answered ${confirm.status}: ${confirm.text}`);
  return {
    secret,
    recoveryCodes: confirm.body.recovery_codes as string[],
    confirmedStep: step - 1,
  };
}

/** Logs in with the password of a user with MFA; returns the mfa_token. */
export async function passwordStep(
  url: string,
  creds: { email: string; password: string },
): Promise<string> {
  const res = await request(url).post('/auth/login').send(creds);
  if (res.status !== 200 || res.body.mfa_required !== true) {
    throw new Error(`login answered ${res.status}: ${res.text}`);
  }
  return res.body.mfa_token as string;
}
