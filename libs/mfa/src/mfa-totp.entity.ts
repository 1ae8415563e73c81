import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A row of `mfa_totp` (see migrations/1764000000000-initial-schema.ts): one TOTP enrolment per
 * user, pending until its first code confirms it (`enabledAt` set).
 */
@Entity({ name: 'mfa_totp' })
export class MfaTotpEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  /** The base32 secret sealed by `SecretBox` with aad `mfa_totp:<userId>`; never the plain secret. */
  @Column({ name: 'secret_enc', type: 'text' })
  secretEnc!: string;

  /** Which key-encryption key sealed it (for a future KEK rotation). */
  @Column({ name: 'kek_id', type: 'text' })
  kekId!: string;

  /** Null while the enrolment waits for its first code. */
  @Column({ name: 'enabled_at', type: 'timestamptz', nullable: true })
  enabledAt!: Date | null;

  /** The last time step a code was accepted for: a step is accepted once (replay guard). */
  @Column({ name: 'last_used_step', type: 'bigint', nullable: true })
  lastUsedStep!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
