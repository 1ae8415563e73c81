/** What the race probe found: pairs of concurrent refreshes of one token. */
export interface RaceProbe {
  pairs: number;
  /** Both requests of a pair got a refresh token, and not the same one: two live successors. Must be 0. */
  twoSuccessors: number;
  /** Neither got one (the winner must win). Must be 0. */
  noneAccepted: number;
}

/**
 * Presents each family's current token twice at the same instant (two connections). Exactly
 * one rotation may happen: within `REFRESH_RETRY_WINDOW` (on by default) the other request is
 * a retry and gets the very same successor; with the window off it is refused
 * (`refresh_reused`). Two different successors would be a double rotation. Runs after the
 * measured window: it is a correctness check under the same database, not load.
 */
export async function raceProbe(url: string, tokens: readonly string[]): Promise<RaceProbe> {
  const result: RaceProbe = { pairs: tokens.length, twoSuccessors: 0, noneAccepted: 0 };
  const refresh = (token: string) =>
    fetch(`${url}/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: token }),
      signal: AbortSignal.timeout(10_000),
    }).then(
      async (res) => {
        const body = (await res.json().catch(() => ({}))) as { refresh_token?: unknown };
        return res.status === 200 && typeof body.refresh_token === 'string'
          ? body.refresh_token
          : undefined;
      },
      () => undefined,
    );
  for (const token of tokens) {
    const got = (await Promise.all([refresh(token), refresh(token)])).filter(
      (t): t is string => t !== undefined,
    );
    if (new Set(got).size > 1) result.twoSuccessors += 1;
    if (got.length === 0) result.noneAccepted += 1;
  }
  return result;
}
