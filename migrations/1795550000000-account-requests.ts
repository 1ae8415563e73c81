import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Account requests go through the outbox (issue 15): register, resend-verification and
 * forgot-password did several statements more for an address that has an account than for
 * one that has none, so response times told which addresses have accounts. The request path
 * now does the same work for every address (validation, limits, the password hash for a
 * registration, and one outbox row); the lookup and what follows (the account, the mail)
 * happen in the outbox worker. This only widens `ck_outbox_kind` with `account_request`.
 */
export class AccountRequests1795550000000 implements MigrationInterface {
  name = 'AccountRequests1795550000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE outbox
        DROP CONSTRAINT ck_outbox_kind,
        ADD CONSTRAINT ck_outbox_kind CHECK (kind IN ('email', 'webhook', 'account_request'))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM outbox WHERE kind = 'account_request'`);
    await q.query(`
      ALTER TABLE outbox
        DROP CONSTRAINT ck_outbox_kind,
        ADD CONSTRAINT ck_outbox_kind CHECK (kind IN ('email', 'webhook'))`);
  }
}
