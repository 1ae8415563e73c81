import type { ActivityEventType, ActivityPage } from '@identity/accounts';
import { describeDevice } from './device-names';

/** One entry of `GET /auth/me/activity`, exactly the fields of API.md. */
export interface ActivityItemResponse {
  type: ActivityEventType;
  created_at: string;
  /** "Chrome on macOS", the name the client gave, or null. */
  device: string | null;
  /**
   * `this_network` when the event came from the IP the activity is read from,
   * `another_network` when from another; absent when the event recorded no IP. Never the IP.
   */
  ip_hint?: 'this_network' | 'another_network';
}

export interface ActivityResponse {
  items: ActivityItemResponse[];
  next_before: string | null;
}

export function toActivityResponse(page: ActivityPage): ActivityResponse {
  return {
    items: page.items.map((item) => ({
      type: item.type,
      created_at: item.createdAt.toISOString(),
      device: describeDevice(item.device),
      ...(item.sameNetwork === null
        ? {}
        : { ip_hint: item.sameNetwork ? 'this_network' : 'another_network' }),
    })),
    next_before: page.nextBefore,
  };
}
