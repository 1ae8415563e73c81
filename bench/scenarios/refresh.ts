import { countDoubleRotations } from '../lib/bench-database';
import { httpLoad } from '../lib/http-load';
import { RefreshFamilies } from './refresh-families';
import { raceProbe } from './refresh-race';
import type { Scenario } from './scenario';

export const REFRESH_CONNECTIONS = 64;
const RACE_PAIRS = 32;

/**
 * `POST /auth/refresh` rotation chains over many families (each connection owns
 * families/64 of them, round robin). Double rotations are counted three ways: a token the
 * server accepted twice (client side), a token with two successors (the database), and a race
 * probe after the window that presents tokens twice at once.
 */
export const refreshScenario: Scenario = {
  name: 'refresh',
  summary: 'POST /auth/refresh rotation chains, many families, 64 connections',
  async run(ctx) {
    // A window's end strands each connection's in-flight family (its answer never comes, so
    // its next token is unknown): give each connection several, so none runs out.
    const connections = Math.max(
      1,
      Math.min(REFRESH_CONNECTIONS, Math.floor(ctx.options.families / 4)),
    );
    const families = new RefreshFamilies(await ctx.sessions(ctx.options.families));
    const load = (durationS: number) =>
      httpLoad({
        url: ctx.targets.map((t) => t.url),
        connections,
        durationS,
        requestsFor: (n) => families.requestsFor(n, connections),
      });
    await load(ctx.options.warmupS);
    families.settle();
    const measured = await ctx.measured(() => load(ctx.options.durationS));
    families.settle();
    const probeTokens = families
      .healthy()
      .slice(0, RACE_PAIRS)
      .map((f) => f.token);
    const race = await raceProbe(ctx.primary.url, probeTokens);
    const inDatabase = await countDoubleRotations(ctx.databaseUrl);
    return {
      ...measured,
      params: { connections, families: families.size, instances: ctx.targets.length },
      checks: {
        acceptedTwice: families.acceptedTwice,
        doubleRotationsInDatabase: inDatabase,
        raceTwoSuccessors: race.twoSuccessors,
        raceNoneAccepted: race.noneAccepted,
      },
      details: { rotations: families.rotations, racePairs: race.pairs },
    };
  },
};
