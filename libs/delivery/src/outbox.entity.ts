import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** What an outbox row carries; one channel per kind (the `ck_outbox_kind` constraint). */
export type OutboxKind = 'email' | 'webhook';

/** The jsonb body of a row. Channels define its shape; the outbox never looks inside. */
export type OutboxPayload = Record<string, unknown>;

/**
 * One durable message: committed with the change that caused it, then drained by
 * `OutboxWorker`. Pending = neither `deliveredAt` nor `deadAt`.
 */
@Entity({ name: 'outbox' })
export class OutboxEntity {
  /** bigint: the pg driver hands it over as a string, so it stays one (no precision loss). */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ type: 'text' })
  kind!: OutboxKind;

  @Column({ type: 'jsonb' })
  payload!: OutboxPayload;

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt!: Date;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @Column({ name: 'dead_at', type: 'timestamptz', nullable: true })
  deadAt!: Date | null;
}
