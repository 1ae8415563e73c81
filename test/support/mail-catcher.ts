import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One mail as the SMTP server received it. */
export interface CapturedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  headers: Record<string, string>;
  /** The Subject header, RFC 2047 encoded words decoded. */
  subject: string;
  text: string;
  html: string;
  /** When the server accepted it (ms since the epoch). */
  receivedAt: number;
}

/**
 * A real SMTP server on loopback that keeps what it receives. `port` 0 picks a free port;
 * stop and start again to simulate an outage on the same port.
 */
export class MailCatcher {
  readonly mails: CapturedMail[] = [];
  private server: SMTPServer | undefined;

  constructor(
    public port = 0,
    /** Delay before accepting each mail, to make concurrent senders overlap. */
    private readonly acceptDelayMs = 0,
  ) {}

  /** Starts listening; resolves with the port. */
  async start(): Promise<number> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      // Pooled client connections stay open; do not wait 30 s for them on close.
      closeTimeout: 100,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const mailFrom = session.envelope.mailFrom;
          this.mails.push({
            envelopeFrom: mailFrom ? mailFrom.address : '',
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            receivedAt: Date.now(),
            ...parseMail(Buffer.concat(chunks).toString('utf8')),
          });
          setTimeout(() => callback(), this.acceptDelayMs);
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
    return this.port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Mails whose text part contains `needle`. */
  withText(needle: string): CapturedMail[] {
    return this.mails.filter((m) => m.text.includes(needle));
  }

  /** Resolves once `count` mails have arrived; rejects after `timeoutMs`. */
  async waitForCount(count: number, timeoutMs = 5_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.mails.length < count) {
      if (Date.now() > until) {
        throw new Error(`expected ${count} mails, got ${this.mails.length} in ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/** Just enough MIME for nodemailer's output: headers and a multipart/alternative body. */
function parseMail(raw: string): Pick<CapturedMail, 'headers' | 'subject' | 'text' | 'html'> {
  const { headers, body } = splitEntity(raw);
  const parts: Record<string, string> = {};
  const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] ?? '')?.[1];
  const entities = boundary
    ? body.split(`--${boundary}`).slice(1, -1).map(splitEntity)
    : [{ headers, body }];
  for (const part of entities) {
    const type = (part.headers['content-type'] ?? 'text/plain').split(';')[0]?.trim() ?? '';
    parts[type] = decodeBody(part.body, part.headers['content-transfer-encoding']);
  }
  return {
    headers,
    subject: decodeEncodedWords(headers['subject'] ?? ''),
    text: parts['text/plain'] ?? '',
    html: parts['text/html'] ?? '',
  };
}

function splitEntity(raw: string): { headers: Record<string, string>; body: string } {
  const trimmed = raw.replace(/^\r\n/, '');
  const end = trimmed.indexOf('\r\n\r\n');
  const head = end < 0 ? trimmed : trimmed.slice(0, end);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: end < 0 ? '' : trimmed.slice(end + 4) };
}

function decodeBody(body: string, encoding = '7bit'): string {
  switch (encoding.toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'quoted-printable':
      return Buffer.from(
        body
          .replace(/=\r\n/g, '')
          .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
        'latin1',
      )
        .toString('utf8')
        .replace(/\r\n$/, '');
    default:
      return body.replace(/\r\n$/, '').replace(/\r\n/g, '\n');
  }
}

/**
 * RFC 2047 encoded words (`=?UTF-8?Q?...?=`, `=?UTF-8?B?...?=`), as nodemailer writes non-ASCII
 * headers. Adjacent words are joined before decoding: a character may be split across two.
 */
export function decodeEncodedWords(value: string): string {
  const word = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;
  return value.replace(/=\?[^?]+\?[BbQq]\?[^?]*\?=(?:\s+=\?[^?]+\?[BbQq]\?[^?]*\?=)*/g, (run) => {
    const bytes: Buffer[] = [];
    for (const [, , encoding, text] of run.matchAll(word)) {
      bytes.push(
        encoding!.toUpperCase() === 'B'
          ? Buffer.from(text!, 'base64')
          : Buffer.from(
              text!
                .replace(/_/g, ' ')
                .replace(/=([0-9A-F]{2})/gi, (_, hex: string) =>
                  String.fromCharCode(parseInt(hex, 16)),
                ),
              'latin1',
            ),
      );
    }
    return Buffer.concat(bytes).toString('utf8');
  });
}
