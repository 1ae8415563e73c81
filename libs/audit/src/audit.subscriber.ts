import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { type AuditAppendInput, AuditLogRepository } from './audit-log.repository';
import { EventBus } from './event-bus';
import type { IdentityEvent } from './identity-events';
import type { Tx } from '@identity/database';

/**
 * Key names that must never reach the audit log. Events carry ids only, by contract; this is
 * the second line, for the day a payload grows a field it should not have.
 */
const SENSITIVE_KEY = /email|password|token|secret|code/i;

/**
 * Writes one audit row per event, in the emitter's transaction: the change and its audit
 * row commit together or not at all, and a failed append rolls the change back.
 */
@Injectable()
export class AuditSubscriber implements OnModuleInit {
  private readonly logger = new Logger('AuditSubscriber');

  constructor(
    private readonly bus: EventBus,
    private readonly auditLog: AuditLogRepository,
  ) {}

  onModuleInit(): void {
    this.bus.onTransaction('*', (event, tx) => this.record(event, tx));
  }

  private async record(event: IdentityEvent, tx: Tx): Promise<void> {
    await this.auditLog.append(this.toAppendInput(event), tx);
  }

  /** `userId`, `sessionId`, `ipHash` go to their columns; every other field to `metadata`. */
  private toAppendInput(event: IdentityEvent): AuditAppendInput {
    const { userId, sessionId, ipHash, ...rest } = event.payload;
    const dropped: string[] = [];
    const metadata = stripSensitive(rest, '', dropped);
    if (dropped.length > 0) {
      // Key names only: the values are exactly what must not be logged anywhere.
      this.logger.warn(
        { event: event.type, dropped },
        'sensitive keys dropped from audit metadata',
      );
    }
    return { type: event.type, userId, sessionId, ipHash, metadata, createdAt: event.at };
  }
}

/** A copy of `value` without sensitive keys at any depth; their paths go to `dropped`. */
function stripSensitive(
  value: Record<string, unknown>,
  path: string,
  dropped: string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (SENSITIVE_KEY.test(key)) {
      dropped.push(`${path}${key}`);
      continue;
    }
    out[key] = stripValue(v, `${path}${key}.`, dropped);
  }
  return out;
}

function stripValue(value: unknown, path: string, dropped: string[]): unknown {
  if (Array.isArray(value)) return value.map((v, i) => stripValue(v, `${path}${i}.`, dropped));
  if (isPlainObject(value)) return stripSensitive(value, path, dropped);
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
