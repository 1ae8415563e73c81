import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ExperimentResult, FaultRun, until } from './experiments';
import { JsonClient, sleep } from './http';
import { DRAIN_DELAY_MS, FaultLab } from './lab';

const log = (line: string) => process.stderr.write(`[faults] ${line}\n`);

/** Load clients: bounded, so the faults and not the machine decide what happens. */
const CLIENTS = 6;
/** How long a dependency stays down. */
const OUTAGE_MS = 3_000;
const WARM_MS = 2_000;

/**
 * `npm run faults`: breaks the platform's dependencies under a bounded load and says what was
 * lost. Everything runs on loopback and belongs to the suite: a throwaway PostgreSQL (initdb on
 * a free port), a redis-server, an SMTP sink, and the app as a real process (production mode,
 * `npm run build`). Six clients refresh and call /auth/me in a loop, retrying a refresh with
 * the same token when an answer is lost. Five experiments: Postgres restart, app SIGKILL in
 * the middle of refreshes, Redis killed (back empty), SMTP down, SIGTERM under load. Prints
 * one table; not part of `npm test`.
 */
async function main(): Promise<number> {
  const logDir = mkdtempSync(join(tmpdir(), 'identity-faults-'));
  log(`logs in ${logDir}`);
  const lab = await FaultLab.start(logDir);
  const http = new JsonClient(() => lab.url);
  const results: ExperimentResult[] = [];
  let faults: FaultRun | undefined;
  try {
    await lab.startApp();
    await lab.untilReady();
    faults = new FaultRun(lab, http, log);
    await faults.seed({ clients: CLIENTS, mailUsers: 6 });
    log(`seeded; ${CLIENTS} clients under load`);
    const run = faults;

    results.push(
      await run.run('Postgres restart', async (ctx) => {
        await sleep(WARM_MS);
        const victim = await ctx.victim();
        ctx.lab.pg.stop();
        // A logout while Postgres is down cannot commit: 503, and the client tries again.
        const logout = ctx.revoke(victim);
        await sleep(OUTAGE_MS);
        ctx.lab.pg.startAgain();
        const repaired = Date.now();
        await logout;
        await ctx.recovered(repaired);
        await sleep(WARM_MS);
      }),
    );

    results.push(
      await run.run('app SIGKILL during refreshes', async (ctx) => {
        await sleep(WARM_MS);
        const victim = await ctx.victim();
        await ctx.revoke(victim);
        // Committed to the outbox, perhaps not sent yet when the process dies.
        for (let i = 0; i < 2; i++) await ctx.requestMail('reset-password');
        const inFlight = await until(
          () => ctx.clients.filter((c) => c.refreshInFlight).length >= 3,
        );
        if (!inFlight) ctx.notes.push('fewer than 3 refreshes in flight at the kill');
        const killedAt = Date.now();
        await ctx.lab.killApp();
        await ctx.lab.startApp();
        await ctx.recovered(killedAt);
        await sleep(WARM_MS);
      }),
    );

    results.push(
      await run.run('Redis killed (back empty)', async (ctx) => {
        await sleep(WARM_MS);
        const before = await ctx.victim();
        await ctx.revoke(before); // its entry is in Redis, and will be lost with it
        const during = await ctx.victim();
        await ctx.lab.redis.kill();
        await ctx.revoke(during); // Postgres only: 204 while Redis is down
        await sleep(OUTAGE_MS);
        await ctx.lab.redis.start();
        const repaired = Date.now();
        await ctx.recovered(repaired);
        await sleep(WARM_MS);
      }),
    );

    results.push(
      await run.run('SMTP down', async (ctx) => {
        await sleep(WARM_MS / 2);
        await ctx.lab.smtp.stop();
        for (let i = 0; i < 3; i++) await ctx.requestMail('reset-password');
        for (let i = 0; i < 2; i++) await ctx.requestMail('verify-email');
        await sleep(OUTAGE_MS);
        await ctx.lab.smtp.start();
        await ctx.mailsDelivered(Date.now());
        await sleep(WARM_MS / 2);
      }),
    );

    results.push(
      await run.run('SIGTERM under load (rolling restart)', async (ctx) => {
        await sleep(WARM_MS);
        const victim = await ctx.victim();
        // A load balancer: probes /readyz every 250 ms, routes away once it answers 503.
        let routedAway = false;
        const prober = (async () => {
          while (!routedAway) {
            await sleep(250);
            const ready = await fetch(`${ctx.lab.url}/readyz`).then(
              (r) => r.status,
              () => 0,
            );
            if (ready === 503) routedAway = true;
          }
        })();
        const exited = ctx.lab.terminateApp();
        // Still served during the drain: this logout commits.
        await ctx.revoke(victim);
        await prober;
        for (const client of ctx.clients) client.paused = true;
        const code = await exited;
        if (code !== 0) ctx.notes.push(`the draining instance exited with ${code}`);
        const restarted = Date.now();
        await ctx.lab.startApp();
        for (const client of ctx.clients) client.paused = false;
        await ctx.recovered(restarted);
        await sleep(WARM_MS);
        ctx.notes.push(`drain delay ${DRAIN_DELAY_MS} ms`);
      }),
    );
    await run.sweepMails();
  } finally {
    await faults?.stop();
    http.close();
    await lab.stop();
  }

  const table = render(results);
  process.stdout.write(`${table}\n`);
  writeFileSync(join(logDir, 'faults.json'), JSON.stringify(results, null, 2));
  log(`results: ${join(logDir, 'faults.json')}`);
  const clean = results.every(
    (r) => r.revocationsLost === 0 && r.mailsLost === 0 && r.chainsBroken === 0,
  );
  return clean ? 0 : 1;
}

function render(results: ExperimentResult[]): string {
  const head =
    '| experiment | requests | answers | recovery | chains broken | resets | revocations lost | mails lost | notes |';
  const rule = '|---|---|---|---|---|---|---|---|---|';
  const rows = results.map((r) =>
    [
      r.experiment,
      r.requests,
      r.answers,
      r.recoveryMs === null ? '–' : `${(r.recoveryMs / 1000).toFixed(2)} s`,
      r.chainsBroken,
      r.resets,
      `${r.revocationsLost} of ${r.revocationsChecked}`,
      `${r.mailsLost} of ${r.mailsChecked}` +
        (r.mailsLate.length > 0
          ? ` (${r.mailsLate.length} late: ${r.mailsLate.join(', ')} s)`
          : ''),
      r.notes.join('; ') || '',
    ].join(' | '),
  );
  return [head, rule, ...rows.map((row) => `| ${row} |`)].join('\n');
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(2);
  },
);
