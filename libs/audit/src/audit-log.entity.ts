import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { JsonObject } from './audit-chain';

/**
 * One row of the append-only, hash-chained `audit_log` (see the initial-schema migration:
 * a trigger refuses UPDATE, DELETE and TRUNCATE). Rows are only ever written by
 * `AuditLogRepository.append`, which computes `prevHash`/`hash`.
 */
@Entity({ name: 'audit_log' })
export class AuditLogEntity {
  /** bigint identity; the pg driver hands bigints back as strings (no 2^53 overflow). */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId!: string | null;

  @Column({ name: 'session_id', type: 'uuid', nullable: true })
  sessionId!: string | null;

  @Column({ name: 'ip_hash', type: 'text', nullable: true })
  ipHash!: string | null;

  @Column({ type: 'jsonb' })
  metadata!: JsonObject;

  /**
   * Set by the application, never by the column default, so the hash covers exactly the
   * stored value (a JS Date has millisecond precision and round-trips through timestamptz).
   */
  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'prev_hash', type: 'text' })
  prevHash!: string;

  @Column({ type: 'text' })
  hash!: string;
}
