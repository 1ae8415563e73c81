import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { SessionsSocket } from './sessions-socket.types';
import { Clock } from '@identity/kernel';

/** setTimeout's ceiling (about 24.8 days); longer delays are re-armed in steps. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * The token-expiry rule: a socket lives only as long as the access token it last presented
 * (`socket.data.expiresAt`). At that instant it gets `expired` and is disconnected, unless
 * the client sent a fresh token (`authenticate` event) before, which moves the deadline.
 * Timers are per instance and per socket; a socket's timer lives on the instance holding it.
 */
@Injectable()
export class SocketExpiry implements OnApplicationShutdown {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly clock: Clock) {}

  /** (Re)starts the socket's timer from `socket.data.expiresAt`. */
  arm(socket: SessionsSocket): void {
    this.clear(socket);
    const delay = socket.data.expiresAt - this.clock.nowMs();
    const timer = setTimeout(
      () => {
        this.timers.delete(socket.id);
        if (this.clock.nowMs() < socket.data.expiresAt) return this.arm(socket);
        if (!socket.connected) return;
        socket.emit('expired', { at: new Date(socket.data.expiresAt).toISOString() });
        socket.disconnect(true);
      },
      Math.min(Math.max(0, delay), MAX_DELAY_MS),
    );
    // A pending expiry must never keep a stopping process alive.
    timer.unref();
    this.timers.set(socket.id, timer);
  }

  clear(socket: SessionsSocket): void {
    clearTimeout(this.timers.get(socket.id));
    this.timers.delete(socket.id);
  }

  onApplicationShutdown(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
