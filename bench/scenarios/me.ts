import type autocannon from 'autocannon';
import { httpLoad } from '../lib/http-load';
import type { Scenario } from './scenario';

export const ME_CONNECTIONS = 64;

/** `GET /auth/me` with a Bearer access token, one signed-in session per connection. */
export const meScenario: Scenario = {
  name: 'me',
  summary: 'GET /auth/me with a Bearer JWT, 64 connections, one session each',
  async run(ctx) {
    const sessions = await ctx.sessions(ME_CONNECTIONS);
    const requestsFor = (connection: number): autocannon.Request[] => [
      {
        method: 'GET',
        path: '/auth/me',
        headers: {
          authorization: `Bearer ${sessions[connection % sessions.length]?.accessToken ?? ''}`,
        },
      },
    ];
    const load = (durationS: number) =>
      httpLoad({
        url: ctx.targets.map((t) => t.url),
        connections: ME_CONNECTIONS,
        durationS,
        requestsFor,
      });
    await load(ctx.options.warmupS);
    const measured = await ctx.measured(() => load(ctx.options.durationS));
    return {
      ...measured,
      params: { connections: ME_CONNECTIONS, instances: ctx.targets.length },
      checks: {},
    };
  },
};
