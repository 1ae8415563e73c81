import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * `active`: the one token of its family that may be exchanged. `used`: rotated away; seeing it
 * again is reuse. `revoked`: its family was ended while it was still active.
 */
export type RefreshTokenStatus = 'active' | 'used' | 'revoked';

/**
 * A row of `refresh_tokens`: one link of a session's family. Only the SHA-256 of the token is
 * kept (`hashToken`), so a database leak hands out nothing that can be presented.
 */
@Entity({ name: 'refresh_tokens' })
export class RefreshTokenEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ name: 'token_hash', type: 'text' })
  tokenHash!: string;

  /** The token this one replaced; null for the first token of a login. */
  @Column({ name: 'parent_id', type: 'uuid', nullable: true })
  parentId!: string | null;

  @Column({ type: 'text' })
  status!: RefreshTokenStatus;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Equal to its session's `expires_at`: a token never outlives its family. */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
