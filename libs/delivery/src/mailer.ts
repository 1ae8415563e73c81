import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { type AppConfig, InjectConfig } from '@identity/config';

/** A rendered mail, ready for the wire. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * Timeouts well under the outbox lease (120 s), so a hung SMTP server fails an attempt
 * instead of outliving the lease and letting another instance send the same mail.
 */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/**
 * Sends mail: over SMTP (`SMTP_URL`, pooled connections) or, with no SMTP_URL outside
 * production, to the log.
 */
@Injectable()
export class Mailer implements OnApplicationShutdown {
  private readonly logger = new Logger('Mailer');
  private readonly transport: Transporter | null;

  constructor(@InjectConfig() private readonly config: AppConfig) {
    const { smtpUrl } = config.mail;
    if (!smtpUrl && config.isProduction) {
      // The config schema refuses this already; a mailer that only logs must never run live.
      throw new Error('SMTP_URL is required in production');
    }
    this.transport = smtpUrl
      ? createTransport({ url: smtpUrl, pool: true, ...SMTP_TIMEOUTS })
      : null;
  }

  /** True when mail only goes to the log (development without SMTP_URL). */
  get logsOnly(): boolean {
    return this.transport === null;
  }

  /**
   * Sends one mail from `MAIL_FROM`.
   * @throws the transport's error (connection refused, recipient rejected, timeout...).
   */
  async send(mail: OutgoingMail): Promise<void> {
    if (!this.transport) {
      this.logMail(mail);
      return;
    }
    await this.transport.sendMail({ from: this.config.mail.from, ...mail });
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }

  /**
   * Development only (never in production, see the constructor): the whole mail goes to
   * the log so a developer can click the link. This is the one place where a live
   * verification or reset link is ever written to a log. The text part carries the same
   * content as the HTML part, so the HTML is left out.
   */
  private logMail(mail: OutgoingMail): void {
    this.logger.log(
      [
        'SMTP_URL is not set; this mail was logged, not sent:',
        `From: ${this.config.mail.from}`,
        `To: ${mail.to}`,
        `Subject: ${mail.subject}`,
        '',
        mail.text,
      ].join('\n'),
    );
  }
}
