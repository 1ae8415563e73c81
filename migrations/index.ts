import { InitialSchema1764000000000 } from './1764000000000-initial-schema';
import { SessionHotPath1795400000000 } from './1795400000000-session-hot-path';
import { WebhookDelivery1795500000000 } from './1795500000000-webhook-delivery';
import { AccountRequests1795550000000 } from './1795550000000-account-requests';
import { FederatedSignIn1796000000000 } from './1796000000000-federated-sign-in';
import { SessionRevocations1796100000000 } from './1796100000000-session-revocations';
import { SelfService1796200000000 } from './1796200000000-self-service';

/** Every migration, in order. Never edit one that has landed: add a new one. */
export const migrations = [
  InitialSchema1764000000000,
  SessionHotPath1795400000000,
  WebhookDelivery1795500000000,
  AccountRequests1795550000000,
  FederatedSignIn1796000000000,
  SessionRevocations1796100000000,
  SelfService1796200000000,
];
