import type { LookupAll } from './target-policy';

/**
 * How receivers' host names are resolved, at registration and at every attempt: the system
 * resolver unless something else is provided (tests provide a stand-in DNS whose answers
 * they script, to prove a name that turns private between registration and delivery is
 * refused).
 */
export const WEBHOOK_DNS = Symbol('WEBHOOK_DNS');

export interface WebhookDns {
  lookup?: LookupAll;
}
