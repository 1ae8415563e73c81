import { randomUUID } from 'node:crypto';
import { buildOcsfEvent, type OcsfEvent } from './ocsf';
import type { AnyWebhookEvent } from './webhook-events';

const product = { name: 'Identity', vendorName: 'Example Corp', version: '2.3.4' };
const at = new Date('2030-05-06T07:08:09.123Z');
const userId = randomUUID();
const sessionId = randomUUID();
const actorId = randomUUID();
const ipHash = 'f'.repeat(64);

function ocsf(event: Omit<AnyWebhookEvent, 'at'>): OcsfEvent {
  const built = buildOcsfEvent({ ...event, at } as AnyWebhookEvent, product);
  if (!built) throw new Error(`${event.type} is not sent in OCSF`);
  return built;
}

describe('OCSF mapping', () => {
  it('maps a password sign-in to Authentication: Logon, success, not MFA', () => {
    expect(
      ocsf({
        type: 'auth.login.succeeded',
        payload: { userId, sessionId, amr: ['pwd'], ipHash },
      }),
    ).toEqual({
      metadata: {
        version: '1.4.0',
        product: { name: 'Identity', vendor_name: 'Example Corp', version: '2.3.4' },
        event_code: 'auth.login.succeeded',
      },
      time: at.getTime(),
      category_uid: 3,
      category_name: 'Identity & Access Management',
      class_uid: 3002,
      class_name: 'Authentication',
      activity_id: 1,
      activity_name: 'Logon',
      type_uid: 300201,
      type_name: 'Authentication: Logon',
      severity_id: 1,
      severity: 'Informational',
      status_id: 1,
      status: 'Success',
      message: 'auth.login.succeeded',
      user: { uid: userId, type_id: 1, type: 'User' },
      session: { uid: sessionId },
      src_endpoint: { uid: ipHash },
      service: { name: 'Identity' },
      auth_protocol_id: 99,
      auth_protocol: 'Password',
      is_remote: true,
      is_mfa: false,
    });
  });

  it('marks a sign-in with a TOTP or recovery code as MFA', () => {
    for (const amr of [
      ['pwd', 'otp'],
      ['pwd', 'rec'],
    ]) {
      expect(
        ocsf({ type: 'auth.login.succeeded', payload: { userId, sessionId, amr } }).is_mfa,
      ).toBe(true);
    }
  });

  it('maps a refused sign-in to Logon, failure, with the reason as detail', () => {
    const event = ocsf({
      type: 'auth.login.failed',
      payload: { reason: 'invalid_credentials', userId, ipHash },
    });
    expect(event).toMatchObject({
      class_uid: 3002,
      activity_id: 1,
      status_id: 2,
      status: 'Failure',
      status_detail: 'invalid_credentials',
      severity_id: 2,
      is_mfa: false,
      user: { uid: userId },
    });
    expect(event.session).toBeUndefined();
  });

  it('names the Unknown user when the refused address has no account', () => {
    const event = ocsf({ type: 'auth.login.failed', payload: { reason: 'invalid_credentials' } });
    expect(event.user).toEqual({ name: 'Unknown', type_id: 0, type: 'Unknown' });
    expect(event.src_endpoint).toBeUndefined();
  });

  it('maps a wrong MFA code (today a login failure, later auth.mfa.failed) as a failed MFA logon', () => {
    for (const event of [
      ocsf({ type: 'auth.login.failed', payload: { reason: 'mfa_invalid', userId } }),
      ocsf({ type: 'auth.mfa.failed', payload: { userId } }),
    ]) {
      expect(event).toMatchObject({
        class_uid: 3002,
        activity_id: 1,
        status_id: 2,
        status_detail: 'mfa_invalid',
        is_mfa: true,
        auth_protocol: 'One-Time Code',
      });
    }
  });

  it('rates a throttle medium and a reused refresh token high', () => {
    expect(ocsf({ type: 'auth.login.throttled', payload: { scope: 'ip', ipHash } })).toMatchObject({
      severity_id: 3,
      status_id: 2,
      status_detail: 'throttled (ip)',
    });
    expect(ocsf({ type: 'auth.refresh.reused', payload: { userId, sessionId } })).toMatchObject({
      class_uid: 3002,
      activity_id: 99,
      activity_name: 'Refresh Token Reuse',
      type_uid: 300299,
      severity_id: 4,
      severity: 'High',
      status_id: 2,
      session: { uid: sessionId },
    });
  });

  it('maps a revoked session to Logoff, and a user-wide revocation lists the sessions', () => {
    const one = ocsf({
      type: 'session.revoked',
      payload: { userId, sessionId, scope: 'session', reason: 'logout', sessionIds: [sessionId] },
    });
    expect(one).toMatchObject({
      activity_id: 2,
      activity_name: 'Logoff',
      type_uid: 300202,
      status_id: 1,
      status_detail: 'logout',
      session: { uid: sessionId },
      unmapped: { scope: 'session' },
    });
    expect(one.is_mfa).toBeUndefined();

    const other = randomUUID();
    const all = ocsf({
      type: 'session.revoked',
      payload: { userId, scope: 'user', reason: 'password_reset', sessionIds: [sessionId, other] },
    });
    expect(all.session).toBeUndefined();
    expect(all.unmapped).toEqual({ scope: 'user', session_uids: [sessionId, other] });
  });

  it.each([
    ['user.registered', 1, 'Create'],
    ['user.password_changed', 3, 'Password Change'],
    ['user.password_reset', 4, 'Password Reset'],
    ['user.deleted', 6, 'Delete'],
    ['user.locked', 9, 'Lock'],
    ['mfa.enabled', 10, 'MFA Factor Enable'],
    ['mfa.disabled', 11, 'MFA Factor Disable'],
    ['user.unlocked', 12, 'Unlock'],
    ['user.roles_changed', 99, 'Roles Change'],
    ['user.email_changed', 99, 'Email Change'],
    ['identity.linked', 99, 'Identity Link'],
    ['identity.unlinked', 99, 'Identity Unlink'],
  ] as const)('maps %s to Account Change activity %i (%s)', (type, id, name) => {
    const payload = { userId, roles: ['admin'], via: 'password', provider: 'github' };
    const event = ocsf({ type, payload });
    expect(event).toMatchObject({
      class_uid: 3001,
      class_name: 'Account Change',
      activity_id: id,
      activity_name: name,
      type_uid: 300100 + id,
      type_name: `Account Change: ${name}`,
      status_id: 1,
      user: { uid: userId, type_id: 1 },
    });
    // Authentication-only attributes stay out of Account Change.
    expect(event.service).toBeUndefined();
    expect(event.is_mfa).toBeUndefined();
    expect(event.auth_protocol_id).toBeUndefined();
  });

  it('names the acting admin and the resulting roles of a role change', () => {
    expect(
      ocsf({
        type: 'user.roles_changed',
        payload: { userId, roles: ['admin', 'user'], actorId },
      }),
    ).toMatchObject({
      severity_id: 3,
      actor: { user: { uid: actorId, type_id: 2, type: 'Admin' } },
      user_result: { uid: userId, groups: [{ name: 'admin' }, { name: 'user' }] },
    });
  });

  it('names the provider of a linked identity in unmapped', () => {
    expect(
      ocsf({ type: 'identity.linked', payload: { userId, provider: 'github' } }).unmapped,
    ).toEqual({ provider: 'github' });
  });

  it('sends webhook.test as a Base Event naming the receiver', () => {
    const webhookId = randomUUID();
    expect(ocsf({ type: 'webhook.test', payload: { webhookId } })).toMatchObject({
      class_uid: 0,
      class_name: 'Base Event',
      category_uid: 0,
      activity_id: 99,
      activity_name: 'Webhook Test',
      type_uid: 99,
      unmapped: { webhook_id: webhookId },
    });
  });

  it('sends nothing for key.rotated', () => {
    expect(
      buildOcsfEvent(
        { type: 'key.rotated', payload: { kid: 'k2', reason: 'manual' }, at },
        product,
      ),
    ).toBeNull();
  });
});
