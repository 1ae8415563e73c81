/** What the race probe found: pairs of concurrent refreshes of one token. */
export interface RaceProbe {
  pairs: number;
  /** Both requests of a pair got a new token pair: a double rotation. Must be 0. */
  bothAccepted: number;
  /** Neither did (the winner must win). Must be 0. */
  noneAccepted: number;
}

/**
 * Presents each family's current token twice at the same instant (two connections). Exactly
 * one may rotate it; the other must be refused (`refresh_reused`, which also kills the family,
 * as reuse detection should). Runs after the measured window: it is a correctness check under
 * the same database, not load.
 */
export async function raceProbe(url: string, tokens: readonly string[]): Promise<RaceProbe> {
  const result: RaceProbe = { pairs: tokens.length, bothAccepted: 0, noneAccepted: 0 };
  const refresh = (token: string) =>
    fetch(`${url}/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: token }),
      signal: AbortSignal.timeout(10_000),
    }).then(
      async (res) => {
        await res.arrayBuffer();
        return res.status === 200;
      },
      () => false,
    );
  for (const token of tokens) {
    const wins = (await Promise.all([refresh(token), refresh(token)])).filter(Boolean).length;
    if (wins === 2) result.bothAccepted += 1;
    if (wins === 0) result.noneAccepted += 1;
  }
  return result;
}
