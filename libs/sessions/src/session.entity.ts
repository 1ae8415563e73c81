import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { RevocationReason } from '@identity/audit';

/**
 * `active`: refreshable while inside its absolute and idle lifetimes. `revoked`: ended on
 * purpose (logout, lock, reset...). `compromised`: killed because a rotated refresh token came
 * back, which only a thief or a confused client can do.
 */
export type SessionStatus = 'active' | 'revoked' | 'compromised';

/**
 * A row of `sessions` (see migrations/1764000000000-initial-schema.ts): one login, and the
 * refresh-token family that keeps it alive. The check `ck_sessions_revoked` ties `revokedAt`
 * to the status, so a revocation always sets both.
 */
@Entity({ name: 'sessions' })
export class SessionEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'text' })
  status!: SessionStatus;

  /** Authentication methods of the login; every access token of the session repeats them. */
  @Column({ type: 'text', array: true })
  amr!: string[];

  @Column({ name: 'device_name', type: 'text', nullable: true })
  deviceName!: string | null;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent!: string | null;

  /** Keyed hash of the last client IP (`IpHasher`); the raw address is never stored. */
  @Column({ name: 'ip_hash', type: 'text', nullable: true })
  ipHash!: string | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'revoked_reason', type: 'text', nullable: true })
  revokedReason!: RevocationReason | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Last login or refresh; the idle timeout counts from here. */
  @Column({ name: 'last_used_at', type: 'timestamptz' })
  lastUsedAt!: Date;

  /** Absolute end of the family, fixed at login: rotation never moves it. */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
