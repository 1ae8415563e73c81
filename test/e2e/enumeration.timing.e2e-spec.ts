/**
 * Attack: telling which addresses have accounts by how long the server takes to answer.
 * forgot-password, resend-verification and register answer 202 alike, but if the request
 * path looked the address up and then did more (a token, a mail, an audit row) for a known
 * one, a few hundred timed requests would tell known from unknown addresses.
 *
 * Property: over 200 interleaved requests per route, the median response time for a known
 * address and for an unknown one differ by less than the noise (the median absolute
 * deviation of all the samples): the request path does the same work for both, and the
 * lookup happens later, in the outbox worker.
 *
 * The worker does more after a known address (a token, a mail) than after an unknown one; on a
 * loaded machine that can spill past the settle pause into whichever request comes next. The
 * pairs therefore alternate their order (known first, then unknown first), so the spill-over
 * lands on both classes alike instead of always on the unknown one.
 */
import request from 'supertest';
import { GOOD_PASSWORD, MailCatcher, registerVerified, uniqueEmail } from '@identity/testing';
import { startTestApp, type TestApp } from '../support/app';

const PER_CLASS = 100;
/** Lets the worker finish what the previous request queued before the next is timed. */
const SETTLE_MS = 15;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The median absolute deviation from the median: a robust measure of the noise. */
function mad(values: number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

describe('response times do not tell known addresses from unknown ones', () => {
  let app: TestApp;
  const mail = new MailCatcher();

  beforeAll(async () => {
    const port = await mail.start();
    app = await startTestApp({
      label: 'enum_timing',
      env: {
        SMTP_URL: `smtp://127.0.0.1:${port}`,
        MAIL_PER_EMAIL_PER_HOUR: '100000',
        MAIL_PER_IP_PER_HOUR: '100000',
        LOG_LEVEL: 'warn',
      },
    });
  });
  afterAll(async () => {
    await app.close();
    await mail.stop();
  });

  async function timed(path: string, body: object): Promise<number> {
    const started = process.hrtime.bigint();
    const res = await request(app.url).post(path).send(body);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(res.status).toBe(202);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    return ms;
  }

  /** Known and unknown interleaved, after a warm-up of both. */
  async function compare(
    path: string,
    known: () => object,
    unknown: () => object,
  ): Promise<{ known: number; unknown: number; noise: number }> {
    for (let i = 0; i < 10; i++) {
      await timed(path, known());
      await timed(path, unknown());
    }
    const k: number[] = [];
    const u: number[] = [];
    for (let i = 0; i < PER_CLASS; i++) {
      if (i % 2 === 0) {
        k.push(await timed(path, known()));
        u.push(await timed(path, unknown()));
      } else {
        u.push(await timed(path, unknown()));
        k.push(await timed(path, known()));
      }
    }
    return { known: median(k), unknown: median(u), noise: mad([...k, ...u]) };
  }

  function expectIndistinguishable(result: { known: number; unknown: number; noise: number }) {
    expect(Math.abs(result.known - result.unknown)).toBeLessThan(Math.max(result.noise, 0.2));
  }

  it('forgot-password', async () => {
    const { email } = await registerVerified(app.url, mail);
    expectIndistinguishable(
      await compare(
        '/auth/forgot-password',
        () => ({ email }),
        () => ({ email: uniqueEmail('x') }),
      ),
    );
  });

  it('resend-verification', async () => {
    const email = uniqueEmail('unverified');
    await request(app.url).post('/auth/register').send({ email, password: GOOD_PASSWORD });
    expectIndistinguishable(
      await compare(
        '/auth/resend-verification',
        () => ({ email }),
        () => ({ email: uniqueEmail('y') }),
      ),
    );
  });

  it('register', async () => {
    const { email } = await registerVerified(app.url, mail);
    expectIndistinguishable(
      await compare(
        '/auth/register',
        () => ({ email, password: GOOD_PASSWORD }),
        () => ({ email: uniqueEmail('z'), password: GOOD_PASSWORD }),
      ),
    );
  });
});
