import { Test, type TestingModule } from '@nestjs/testing';
import { ConfigModule, loadConfig } from '@identity/config';
import { Database, DatabaseModule } from '@identity/database';
import { createTestDatabase } from '@identity/testing';
import { AuditModule } from '../src/audit.module';
import { AuditLogRepository } from '../src/audit-log.repository';
import { AuditService } from '../src/audit.service';
import { EventBus } from '../src/event-bus';
import { type Clock, ClockModule } from '@identity/kernel';

/** The audit lib wired as the app wires it, over a migrated database of its own. */
export interface AuditTestApp {
  db: Database;
  bus: EventBus;
  auditLog: AuditLogRepository;
  service: AuditService;
  /** Closes the Nest context (and its pool), then drops the database. */
  close(): Promise<void>;
}

/** Boots ConfigModule + DatabaseModule + AuditModule on a fresh copy of the migrated template. */
export async function createAuditTestApp(
  label: string,
  options: { clock?: Clock } = {},
): Promise<AuditTestApp> {
  const testDb = await createTestDatabase(label);
  let moduleRef: TestingModule | undefined;
  try {
    moduleRef = await Test.createTestingModule({
      imports: [
        ClockModule.forRoot(options.clock),
        ConfigModule.forRoot(
          loadConfig({ DATABASE_URL: testDb.url, DATABASE_MIGRATIONS_RUN: 'false' }),
        ),
        DatabaseModule.forRoot({ migrations: [] }),
        AuditModule,
      ],
    }).compile();
    // init() runs onModuleInit, where AuditSubscriber subscribes to the bus.
    await moduleRef.init();
  } catch (err) {
    await moduleRef?.close();
    await testDb.drop();
    throw err;
  }
  const ref = moduleRef;
  return {
    db: ref.get(Database),
    bus: ref.get(EventBus),
    auditLog: ref.get(AuditLogRepository),
    service: ref.get(AuditService),
    async close() {
      await ref.close();
      await testDb.drop();
    },
  };
}

/** An audit_log row as Postgres returns it to plain SQL, bypassing the entity. */
export interface RawAuditRow {
  id: string;
  type: string;
  user_id: string | null;
  session_id: string | null;
  ip_hash: string | null;
  metadata: Record<string, unknown>;
  created_at: Date;
  prev_hash: string;
  hash: string;
}

/** Every audit row in id order, read with plain SQL. */
export function rawAuditRows(db: Database): Promise<RawAuditRow[]> {
  return db.query<RawAuditRow>(`SELECT * FROM audit_log ORDER BY id`);
}
