import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '@identity/config';
import type { Tx } from '@identity/database';
import { DeliveryError } from './delivery.errors';
import { DEFAULT_MAIL_LOCALE } from './email.catalog';
import { TemplateOverrides } from './email.overrides';
import {
  availableMailLocales,
  EMAIL_TEMPLATES,
  type EmailMessage,
  type EmailTemplate,
  type RenderContext,
  renderEmail,
} from './email.templates';
import { MailLanguages, negotiateLocale } from './mail-locale';
import { Mailer } from './mailer';
import type { OutboxPayload } from './outbox-message';
import { OutboxWorker } from './outbox.worker';
import { SealedOutbox } from './sealed-outbox';

/** Templates whose link carries a live token. */
const TOKEN_TEMPLATES: readonly EmailTemplate[] = [
  'verify_email',
  'reset_password',
  'account_exists',
  'confirm_email_change',
];

/**
 * Durable mail: `queue` writes a sealed outbox row in the caller's transaction; the outbox
 * worker sends it through the `email` channel once the transaction has committed.
 */
@Injectable()
export class EmailService implements OnModuleInit {
  private readonly renderContext: RenderContext;
  private readonly locales: readonly string[];

  constructor(
    private readonly outbox: SealedOutbox,
    private readonly worker: OutboxWorker,
    private readonly mailer: Mailer,
    @InjectConfig() config: AppConfig,
  ) {
    // Read once at boot: a broken override directory stops the boot, not the first mail.
    const overrides = config.mail.templatesDir
      ? TemplateOverrides.load(config.mail.templatesDir, EMAIL_TEMPLATES)
      : TemplateOverrides.none();
    this.renderContext = {
      appUrl: config.appUrl,
      tokenTtl: config.tokenTtl,
      productName: config.mail.productName,
      overrides,
    };
    this.locales = availableMailLocales(overrides);
  }

  onModuleInit(): void {
    // Mail carries live links: once sent (or given up on) the sealed copy is dropped too.
    this.worker.register('email', (payload) => this.deliver(payload), { redactWhenSettled: true });
  }

  /**
   * Queues one mail with the change that causes it: pass the caller's transaction (or
   * `Database.manager` outside one). Nothing is sent if that transaction
   * rolls back; once it commits, the worker is nudged so the mail leaves at once.
   *
   * The locale is chosen here, at request time: `message.locale` if given, else the best
   * match of the current request's `Accept-Language` ({@link MailLanguages}) among the
   * locales there are wording for, else English. It is stored with the row, so the worker
   * renders the mail in it whenever it sends.
   *
   * The whole message (address, template, token, locale) is sealed with the key-encryption
   * key before it is stored: emailed links are live credentials, and whoever can read the
   * database (a replica, a backup, a support query) must not harvest them from pending rows.
   */
  async queue(tx: Tx, message: EmailMessage): Promise<void> {
    const locale =
      message.locale ?? negotiateLocale(MailLanguages.current(), this.locales, DEFAULT_MAIL_LOCALE);
    await this.outbox.queue('email', { ...message, locale }, tx);
  }

  /** The `email` channel: opens the payload, renders the template and sends it. */
  private async deliver(payload: OutboxPayload): Promise<void> {
    const message = this.open(payload);
    await this.mailer.send({ to: message.to, ...renderEmail(message, this.renderContext) });
  }

  /**
   * @throws DeliveryError when the payload has a shape no retry can fix.
   * @throws Error when the box does not open: retried, because the likely cause is one
   *   instance with a wrong KEY_ENCRYPTION_KEY, and another instance may open it.
   */
  private open(payload: OutboxPayload): EmailMessage {
    const message = this.outbox.open('email', payload);
    if (!isEmailMessage(message)) {
      throw new DeliveryError('delivery.payload_unreadable', {
        message: 'email payload has an unknown shape',
      });
    }
    return message;
  }
}

/**
 * The box is authenticated, so its content was written by `queue`; this only guards against
 * version skew (a template renamed while rows were pending).
 */
function isEmailMessage(value: unknown): value is EmailMessage {
  if (typeof value !== 'object' || value === null) return false;
  const { template, to, vars, locale } = value as Record<string, unknown>;
  if (typeof to !== 'string' || typeof vars !== 'object' || vars === null) return false;
  // Rows queued before locales existed have none (English).
  if (locale !== undefined && typeof locale !== 'string') return false;
  if (!EMAIL_TEMPLATES.includes(template as EmailTemplate)) return false;
  const needsToken = TOKEN_TEMPLATES.includes(template as EmailTemplate);
  return !needsToken || typeof (vars as Record<string, unknown>).token === 'string';
}
