import type { Profile } from '@identity/accounts';
import type { SessionView } from '@identity/sessions';

/** `GET /auth/me`, exactly the fields of API.md. */
export interface MeResponse {
  id: string;
  email: string;
  name: string | null;
  email_verified: boolean;
  mfa_enabled: boolean;
  roles: string[];
  permissions: string[];
  created_at: string;
}

export function toMeResponse(p: Profile): MeResponse {
  return {
    id: p.id,
    email: p.email,
    name: p.name,
    email_verified: p.emailVerified,
    mfa_enabled: p.mfaEnabled,
    roles: p.roles,
    permissions: p.permissions,
    created_at: p.createdAt.toISOString(),
  };
}

/** One row of `GET /auth/sessions`. */
export interface SessionResponse {
  id: string;
  device_name: string | null;
  user_agent: string | null;
  created_at: string;
  last_used_at: string;
  current: boolean;
}

export function toSessionResponse(s: SessionView, currentSessionId: string): SessionResponse {
  return {
    id: s.id,
    device_name: s.deviceName,
    user_agent: s.userAgent,
    created_at: s.createdAt.toISOString(),
    last_used_at: s.lastUsedAt.toISOString(),
    current: s.id === currentSessionId,
  };
}
