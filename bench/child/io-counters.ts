import Redis from 'ioredis';
import { Client } from 'pg';

type Counts = Record<string, number>;

/** Postgres statements by first keyword and Redis commands by name, since the last reset. */
export interface IoCounts {
  pg: Counts;
  redis: Counts;
}

/**
 * Counts what the app sends to Postgres (node-postgres `Client#query`, which TypeORM uses) and
 * Redis (ioredis `sendCommand`), by statement keyword and command name. Round trips per
 * request are a property of the code, not of the machine, so they stay meaningful when the
 * timings of a busy machine do not. Bench processes only: it wraps two prototype methods.
 */
export class IoCounters {
  private pg: Counts = {};
  private redis: Counts = {};

  install(): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the wrappers need both `this`es
    const counters = this;
    const pgProto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
    const query = pgProto.query;
    const count = (map: Counts, key: string) => (map[key] = (map[key] ?? 0) + 1);
    pgProto.query = function (this: Client, ...args: unknown[]) {
      const first = args[0];
      const text = typeof first === 'string' ? first : (first as { text?: string } | null)?.text;
      count(counters.pg, (text ?? '?').trimStart().split(/\s/, 1)[0]?.toUpperCase() ?? '?');
      return query.apply(this, args);
    };
    const redisProto = Redis.prototype as unknown as {
      sendCommand: (command: { name: string }, ...rest: unknown[]) => unknown;
    };
    const send = redisProto.sendCommand;
    redisProto.sendCommand = function (this: Redis, command, ...rest) {
      count(counters.redis, command.name);
      return send.call(this, command, ...rest);
    };
  }

  reset(): void {
    this.pg = {};
    this.redis = {};
  }

  read(): IoCounts {
    return { pg: { ...this.pg }, redis: { ...this.redis } };
  }
}
