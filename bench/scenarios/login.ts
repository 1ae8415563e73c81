import type autocannon from 'autocannon';
import { benchEmail } from '../child/seed-users';
import { httpLoad } from '../lib/http-load';
import type { Scenario } from './scenario';

/**
 * Enough logins in flight to keep the argon2 threadpool full (the ceiling runs with as many);
 * more would only queue.
 */
export const LOGIN_CONNECTIONS = 16;

/**
 * `POST /auth/login` with email and password, each request for the next seeded user (round
 * robin over all of them), so no user logs in twice in a row and the per-account limits are
 * not what is measured. Every login succeeds and opens a session.
 */
export const loginScenario: Scenario = {
  name: 'login',
  summary: 'POST /auth/login, distinct users round robin, argon2id at the configured parameters',
  async run(ctx) {
    const { prefix, count, password } = ctx.users;
    let next = 0;
    const requestsFor = (): autocannon.Request[] => [
      {
        method: 'POST',
        path: '/auth/login',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({ email: benchEmail(prefix, next++ % count), password }),
        }),
      },
    ];
    const load = (durationS: number) =>
      httpLoad({
        url: ctx.targets.map((t) => t.url),
        connections: LOGIN_CONNECTIONS,
        durationS,
        requestsFor,
      });
    await load(ctx.options.warmupS);
    const measured = await ctx.measured(() => load(ctx.options.durationS));
    return {
      ...measured,
      params: { connections: LOGIN_CONNECTIONS, users: count, instances: ctx.targets.length },
      checks: {},
    };
  },
};
