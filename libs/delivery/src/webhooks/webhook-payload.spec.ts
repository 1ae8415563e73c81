import { randomUUID } from 'node:crypto';
import { buildOcsfEvent } from './ocsf';
import { isWebhookEventType, WEBHOOK_EVENT_TYPES, type AnyWebhookEvent } from './webhook-events';
import { buildStandardPayload, buildWebhookBody } from './webhook-payload';
import { sampleWebhookEvents } from '../../test/support/webhook-samples';

const product = { name: 'Identity', vendorName: 'Example Corp', version: '0.1.0' };
const at = new Date('2030-05-06T07:08:09.123Z');
const userId = randomUUID();
const sessionId = randomUUID();

describe('standard webhook payload', () => {
  it('is { type, timestamp, data } with the user and session ids', () => {
    expect(
      buildStandardPayload({
        type: 'auth.login.succeeded',
        payload: { userId, sessionId, amr: ['pwd', 'otp'], method: 'password' },
        at,
      }),
    ).toEqual({
      type: 'auth.login.succeeded',
      timestamp: '2030-05-06T07:08:09.123Z',
      data: { user_id: userId, session_id: sessionId, amr: ['pwd', 'otp'], method: 'password' },
    });
  });

  it('names the user only when there is one, and what else the event means', () => {
    expect(
      buildStandardPayload({
        type: 'auth.login.failed',
        payload: { reason: 'invalid_credentials', ipHash: 'ab'.repeat(32) },
        at,
      }).data,
    ).toEqual({ reason: 'invalid_credentials', ip_hash: 'ab'.repeat(32) });
    const other = randomUUID();
    expect(
      buildStandardPayload({
        type: 'session.revoked',
        payload: {
          userId,
          scope: 'user',
          reason: 'logout_all',
          sessionIds: [sessionId, other],
          keptSessionId: other,
        },
        at,
      }).data,
    ).toEqual({
      user_id: userId,
      reason: 'logout_all',
      scope: 'user',
      session_ids: [sessionId, other],
      kept_session_id: other,
    });
  });

  it('carries the acting admin and the new roles of a role change', () => {
    const actorId = randomUUID();
    expect(
      buildStandardPayload({
        type: 'user.roles_changed',
        payload: { userId, roles: ['admin'], actorId },
        at,
      }).data,
    ).toEqual({ user_id: userId, actor_id: actorId, roles: ['admin'] });
  });

  it('builds webhook.test and the types the domain does not emit yet', () => {
    const webhookId = randomUUID();
    expect(buildStandardPayload({ type: 'webhook.test', payload: { webhookId }, at })).toEqual({
      type: 'webhook.test',
      timestamp: at.toISOString(),
      data: { webhook_id: webhookId },
    });
    expect(
      buildStandardPayload({ type: 'identity.linked', payload: { userId, provider: 'github' }, at })
        .data,
    ).toEqual({ user_id: userId, provider: 'github' });
    expect(buildStandardPayload({ type: 'user.deleted', payload: { userId }, at }).data).toEqual({
      user_id: userId,
    });
  });

  it('has a body for every sample of every contract type, naming its user id when it has one', () => {
    for (const event of sampleWebhookEvents()) {
      const body = buildStandardPayload(event);
      expect(body.type).toBe(event.type);
      const payloadUser = (event.payload as { userId?: string }).userId;
      expect(body.data.user_id).toBe(payloadUser);
      const payloadSession = (event.payload as { sessionId?: string }).sessionId;
      expect(body.data.session_id).toBe(payloadSession);
    }
  });
});

describe('buildWebhookBody', () => {
  const event: AnyWebhookEvent = {
    type: 'user.password_changed',
    payload: { userId, ipHash: 'cd'.repeat(32) },
    at,
  };

  it('is the JSON of the standard payload in the standard format', () => {
    const body = buildWebhookBody(event, 'standard', { product });
    expect(typeof body).toBe('string');
    expect(JSON.parse(body!)).toEqual(buildStandardPayload(event));
  });

  it('is the JSON of the OCSF event in the ocsf format', () => {
    const body = buildWebhookBody(event, 'ocsf', { product });
    expect(JSON.parse(body!)).toEqual(buildOcsfEvent(event, product));
    expect(JSON.parse(body!)).toMatchObject({ class_uid: 3001, activity_id: 3 });
  });

  it('is the same string every time for the same event (retries sign the same bytes)', () => {
    expect(buildWebhookBody(event, 'ocsf', { product })).toBe(
      buildWebhookBody(event, 'ocsf', { product }),
    );
    expect(buildWebhookBody(event, 'standard', { product })).toBe(
      buildWebhookBody(event, 'standard', { product }),
    );
  });

  it('is null for a type the format does not carry', () => {
    const rotated: AnyWebhookEvent = {
      type: 'key.rotated',
      payload: { kid: 'k2', previousKid: 'k1', reason: 'scheduled' },
      at,
    };
    expect(buildWebhookBody(rotated, 'ocsf', { product })).toBeNull();
    expect(JSON.parse(buildWebhookBody(rotated, 'standard', { product })!)).toEqual({
      type: 'key.rotated',
      timestamp: at.toISOString(),
      data: { reason: 'scheduled', kid: 'k2', previous_kid: 'k1' },
    });
  });
});

describe('webhook event types', () => {
  it('are the event types of the API contract (API.md, Webhooks)', () => {
    expect([...WEBHOOK_EVENT_TYPES].sort()).toEqual(
      [
        'auth.login.succeeded',
        'auth.login.failed',
        'auth.login.throttled',
        'auth.mfa.failed',
        'auth.refresh.reused',
        'session.revoked',
        'user.registered',
        'user.locked',
        'user.unlocked',
        'user.roles_changed',
        'user.password_changed',
        'user.password_reset',
        'mfa.enabled',
        'mfa.disabled',
        'identity.linked',
        'identity.unlinked',
        'user.email_changed',
        'user.deleted',
        'key.rotated',
        'webhook.test',
      ].sort(),
    );
  });

  it('tells contract types from other domain events', () => {
    expect(isWebhookEventType('auth.login.failed')).toBe(true);
    expect(isWebhookEventType('webhook.test')).toBe(true);
    expect(isWebhookEventType('user.email_verified')).toBe(false);
    expect(isWebhookEventType('webhook.created')).toBe(false);
    expect(isWebhookEventType('*')).toBe(false);
  });
});
