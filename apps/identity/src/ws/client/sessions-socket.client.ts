import type { Agent } from 'node:http';
import { io, type Socket } from 'socket.io-client';
import {
  type AuthenticateAck,
  SESSIONS_NAMESPACE,
  type SessionsClientToServerEvents,
  type SessionsServerToClientEvents,
} from '@identity/sessions-socket';

/** A socket.io client socket typed with the `/sessions` contract. */
export type SessionsClientSocket = Socket<
  SessionsServerToClientEvents,
  SessionsClientToServerEvents
>;

type ServerEvent = keyof SessionsServerToClientEvents;
type Payload<E extends ServerEvent> = Parameters<SessionsServerToClientEvents[E]>[0];

/** One event as the client received it, with its local receipt time (epoch ms). */
export type Received = {
  [E in ServerEvent]: { event: E; payload: Payload<E>; receivedAt: number };
}[ServerEvent];

export interface SessionsSocketOptions {
  /** Access token, sent as `auth.token`. */
  token?: string;
  /** A `Cookie` header (e.g. the access cookie), as a browser in cookie mode would send. */
  cookie?: string;
  /** An `Origin` header, as a browser would send. */
  origin?: string;
  /** How long to wait for the handshake (default 5 s). */
  timeoutMs?: number;
  /** The HTTP agent that opens the websocket's connection (tests use it to see which one). */
  agent?: Agent;
}

/**
 * A tiny client of the `/sessions` namespace for Node (tests, bench, services): connects over
 * websocket only, records every server event with its receipt time, never reconnects on its
 * own (a revoked client must not come back), and exposes the `authenticate` renewal.
 */
export class SessionsSocketClient {
  readonly received: Received[] = [];
  /** Why the socket disconnected (socket.io's reason), once it has. */
  disconnectReason: string | undefined;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: SessionsClientSocket) {
    socket.on('revoked', (payload) => this.record({ event: 'revoked', payload }));
    socket.on('expired', (payload) => this.record({ event: 'expired', payload }));
    socket.on('disconnect', (reason) => {
      this.disconnectReason = reason;
      this.notify();
    });
  }

  /**
   * Connects to `baseUrl` (the HTTP origin, e.g. `http://127.0.0.1:3000`).
   * @throws Error whose message is the `connect_error` message (`unauthorized` when refused).
   */
  static async connect(
    baseUrl: string,
    options: SessionsSocketOptions = {},
  ): Promise<SessionsSocketClient> {
    const headers: Record<string, string> = {};
    if (options.cookie) headers.Cookie = options.cookie;
    if (options.origin) headers.Origin = options.origin;
    const socket: SessionsClientSocket = io(`${baseUrl}${SESSIONS_NAMESPACE}`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: options.timeoutMs ?? 5_000,
      ...(options.token ? { auth: { token: options.token } } : {}),
      extraHeaders: headers,
      // engine.io-client hands `agent` to the `ws` package in Node, whose type it does not model.
      ...(options.agent ? { agent: options.agent as unknown as string } : {}),
    });
    // Listening before the first packet can arrive: nothing the server sends is missed.
    const client = new SessionsSocketClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => {
        socket.off('connect_error');
        resolve();
      });
      socket.once('connect_error', (err) => {
        socket.off('connect');
        socket.close();
        reject(new Error(err.message));
      });
    });
    return client;
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** The first `event` received (already, or within `timeoutMs`). */
  async next<E extends ServerEvent>(
    event: E,
    timeoutMs = 2_000,
  ): Promise<Extract<Received, { event: E }>> {
    const found = () =>
      this.received.find((r): r is Extract<Received, { event: E }> => r.event === event);
    await this.until(() => found() !== undefined, timeoutMs, `no "${event}" event`);
    return found()!;
  }

  /** Resolves with the disconnect reason once the socket has disconnected. */
  async disconnected(timeoutMs = 2_000): Promise<string> {
    await this.until(() => this.disconnectReason !== undefined, timeoutMs, 'still connected');
    return this.disconnectReason!;
  }

  /** Sends a fresh access token of the same session; resolves with the server's ack. */
  renew(token: string, timeoutMs = 2_000): Promise<AuthenticateAck> {
    return this.socket.timeout(timeoutMs).emitWithAck('authenticate', { token });
  }

  close(): void {
    this.socket.close();
  }

  private record(entry: Omit<Received, 'receivedAt'>): void {
    this.received.push({ ...entry, receivedAt: Date.now() } as Received);
    this.notify();
  }

  private notify(): void {
    for (const wake of [...this.waiters]) wake();
  }

  private until(done: () => boolean, timeoutMs: number, failure: string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const wake = () => {
        if (!done()) return;
        finish();
        resolve();
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${failure} within ${timeoutMs} ms`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      this.waiters.add(wake);
    });
  }
}
