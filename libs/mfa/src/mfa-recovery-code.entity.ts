import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A row of `mfa_recovery_codes`: one single-use recovery code, stored as a keyed hash only. */
@Entity({ name: 'mfa_recovery_codes' })
export class MfaRecoveryCodeEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  /** See `RecoveryCodeHasher`; unique per user (`uq_mfa_recovery_codes_user_code`). */
  @Column({ name: 'code_hash', type: 'text' })
  codeHash!: string;

  /** Set when the code is used; a used code never works again. */
  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
