import type { Namespace, Socket } from 'socket.io';
import type {
  SessionsClientToServerEvents,
  SessionsServerToClientEvents,
} from '@identity/sessions-socket';

/** What the handshake learned about a socket; socket.io carries it across instances. */
export interface SessionsSocketData {
  userId: string;
  sessionId: string;
  /** When the access token the socket last presented expires (epoch ms). */
  expiresAt: number;
}

/** Instances talk to each other only through the adapter's own requests. */
type NoInterServerEvents = Record<string, never>;

export type SessionsSocket = Socket<
  SessionsClientToServerEvents,
  SessionsServerToClientEvents,
  NoInterServerEvents,
  SessionsSocketData
>;

export type SessionsNamespace = Namespace<
  SessionsClientToServerEvents,
  SessionsServerToClientEvents,
  NoInterServerEvents,
  SessionsSocketData
>;

/** Every socket of a user joins this room. */
export const userRoom = (userId: string): string => `user:${userId}`;

/** Every socket of a session joins this room. */
export const sessionRoom = (sessionId: string): string => `session:${sessionId}`;
