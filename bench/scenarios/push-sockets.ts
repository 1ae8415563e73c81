import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';

/** One connected client of the `/sessions` namespace, with when it heard `revoked`. */
export interface Seat {
  sessionId: string;
  accessToken: string;
  /** Index of the instance holding the socket. */
  instance: number;
  socket: Socket;
  revokedAt?: number;
  /** Set when the socket went away; `revoked` seats are expected to. */
  disconnected: boolean;
}

/**
 * Connects one websocket-only client per session to `/sessions` (the token in `auth`), on
 * instance `i % urls.length`, `concurrency` handshakes at a time.
 * @throws Error when a handshake is refused or does not finish within 20 s.
 */
export async function connectSeats(
  urls: readonly string[],
  sessions: readonly { sessionId: string; accessToken: string }[],
  concurrency: number,
): Promise<Seat[]> {
  const seats: Seat[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < sessions.length; i = next++) {
      const session = sessions[i]!;
      const instance = i % urls.length;
      seats[i] = await connectSeat(urls[instance]!, session, instance);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, () => worker()));
  } catch (err) {
    closeSeats(seats);
    throw err;
  }
  return seats;
}

function connectSeat(
  url: string,
  session: { sessionId: string; accessToken: string },
  instance: number,
): Promise<Seat> {
  const socket = io(`${url}/sessions`, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 20_000,
    auth: { token: session.accessToken },
  });
  const seat: Seat = { ...session, instance, socket, disconnected: false };
  socket.on('revoked', () => {
    seat.revokedAt ??= performance.now();
  });
  socket.on('disconnect', () => {
    seat.disconnected = true;
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(seat));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(new Error(`socket refused: ${err.message}`));
    });
  });
}

export function closeSeats(seats: readonly (Seat | undefined)[]): void {
  for (const seat of seats) seat?.socket.close();
}

/** Resolves with the receipt time once `seat` has heard `revoked`, or null after `timeoutMs`. */
export function receipt(seat: Seat, timeoutMs: number): Promise<number | null> {
  if (seat.revokedAt !== undefined) return Promise.resolve(seat.revokedAt);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      seat.socket.off('revoked', onRevoked);
      resolve(seat.revokedAt ?? null);
    }, timeoutMs);
    const onRevoked = () => {
      clearTimeout(timer);
      resolve(seat.revokedAt ?? performance.now());
    };
    seat.socket.once('revoked', onRevoked);
  });
}
