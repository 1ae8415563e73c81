/**
 * Attack (or plain leak): SMTP relays quote the recipient in their replies ("550 5.1.1
 * <bob@example.com>: Recipient address rejected"). The outbox keeps the last error of each
 * attempt in `outbox.last_error` (readable by admins and support queries, kept for days) and
 * writes it to the logs (shipped to a log platform with its own readers and retention). Both
 * would then hold users' email addresses, which the platform otherwise keeps only in the users
 * table and in sealed outbox payloads. So every address (and anything an SMTP reply wraps in
 * `<...>`) is redacted from delivery errors before they are stored or logged. The relay here
 * is a real SMTP server on loopback that rejects RCPT TO with the address quoted, once bare
 * and once in angle brackets.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createTestDatabase, type TestDatabase } from '@identity/testing';
import { type DeliveryApp, eventually, startDeliveryApp } from './support/delivery-app';

/** A relay that knows no mailbox: every RCPT TO is refused, quoting the address. */
async function startRejectingRelay(): Promise<{ port: number; stop: () => Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 100,
    onRcptTo(address, _session, callback) {
      const err = Object.assign(
        new Error(
          `5.1.1 <${address.address}>: Recipient address rejected: ` +
            `User unknown in virtual mailbox table (${address.address})`,
        ),
        { responseCode: 550 },
      );
      callback(err);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('SMTP errors that quote the recipient', () => {
  let db: TestDatabase;
  let relay: Awaited<ReturnType<typeof startRejectingRelay>>;
  let app: DeliveryApp;

  beforeAll(async () => {
    db = await createTestDatabase('delivery_smtp_redact');
    relay = await startRejectingRelay();
    app = await startDeliveryApp({ databaseUrl: db.url, smtpPort: relay.port });
  });
  afterAll(async () => {
    await app?.close();
    await relay?.stop();
    await db?.drop();
  });

  it('never reach outbox.last_error or the logs with the address in them', async () => {
    const to = 'Bob.Secret+tag@customer.example';
    await app.db.withTransaction((manager) =>
      app.email.queue(manager, { template: 'password_changed', to, vars: { name: 'Bob' } }),
    );
    let lastError = '';
    await eventually(async () => {
      const [row] = await app.db.dataSource.query<{ last_error: string | null }[]>(
        `SELECT last_error FROM outbox ORDER BY id DESC LIMIT 1`,
      );
      lastError = row?.last_error ?? '';
      return lastError !== '';
    }, 'the failed attempt to be recorded');

    // The failure itself is still described: the relay's code and reason survive.
    expect(lastError).toMatch(/550/);
    expect(lastError).toMatch(/Recipient address rejected/);
    const local = /bob\.secret/i;
    expect(lastError).not.toMatch(local);
    expect(lastError).not.toMatch(/customer\.example/i);

    const logged = app.logs.lines.join('\n');
    expect(logged).toMatch(/Recipient address rejected/);
    expect(logged).not.toMatch(local);
    expect(logged).not.toMatch(/customer\.example/i);
  });
});
