import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

/** `active` may sign in; `locked` was locked by an admin and may not. */
export type UserStatus = 'active' | 'locked';

/** A row of `users` (see migrations/1764000000000-initial-schema.ts). */
@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** As the user typed it, NFKC and trimmed, case kept: where mail goes. */
  @Column({ type: 'text' })
  email!: string;

  /** NFKC, trimmed, lower-cased: the unique lookup key (`uq_users_email_normalized`). */
  @Column({ name: 'email_normalized', type: 'text' })
  emailNormalized!: string;

  @Column({ type: 'text', nullable: true })
  name!: string | null;

  @Column({ type: 'text', default: 'active' })
  status!: UserStatus;

  @Column({ name: 'email_verified_at', type: 'timestamptz', nullable: true })
  emailVerifiedAt!: Date | null;

  /** argon2id PHC string; null for accounts that only sign in through a federated provider. */
  @Column({ name: 'password_hash', type: 'text', nullable: true })
  passwordHash!: string | null;

  /** Set together with `passwordHash` (`ck_users_password_pepper`). */
  @Column({ name: 'password_pepper_version', type: 'integer', nullable: true })
  passwordPepperVersion!: number | null;

  @Column({ name: 'locked_at', type: 'timestamptz', nullable: true })
  lockedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
