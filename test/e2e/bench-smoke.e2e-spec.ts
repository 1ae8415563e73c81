/**
 * The bench harness (`npm run bench`, bench/README.md) still starts and runs: every ceiling
 * and every scenario (login, refresh, me, verify, push, webhook) for about a second against
 * the real app, with cheap argon2 and small counts. The figures of such a run mean nothing;
 * what is checked is that each scenario completed operations, with no errors and clean
 * checks (no double rotation, no missed or stray push, no missed or badly signed webhook),
 * and wrote its result file.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_PG_ADMIN_URL, TEST_REDIS_URL } from '@identity/testing';
import { testBuildDir } from '../support/process';

const ROOT = join(__dirname, '../..');
const SCENARIOS = ['login', 'refresh', 'me', 'verify', 'push', 'webhook'];

interface ScenarioFile {
  scenario: string;
  outcome: {
    load: { ok: number; errors: number; errorKinds: Record<string, number> };
    checks: Record<string, number>;
  };
}

function run(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('bench harness (smoke)', () => {
  let out: string;

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
    // global-setup built the app into the test build; the bench compiles beside it.
    execFileSync(
      join(ROOT, 'node_modules/.bin/swc'),
      ['bench', '-d', testBuildDir(), '--config-file', '.swcrc', '--quiet'],
      { cwd: ROOT, stdio: 'inherit' },
    );
  });

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs every ceiling and scenario briefly, with no errors, and writes the results', async () => {
    const { code, output } = await run([
      join(testBuildDir(), 'bench/run.js'),
      '--smoke',
      '--out',
      out,
      '--pg-url',
      TEST_PG_ADMIN_URL,
      '--redis-url',
      TEST_REDIS_URL,
    ]);
    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('| scenario |') });
    const files = readdirSync(out);
    expect(files.filter((f) => f.endsWith('-ceilings.json'))).toHaveLength(1);
    for (const scenario of SCENARIOS) {
      const file = files.find((f) => f.endsWith(`-${scenario}.json`));
      expect(file).toBeDefined();
      const result = JSON.parse(readFileSync(join(out, file!), 'utf8')) as ScenarioFile;
      expect(result.outcome.load.ok).toBeGreaterThan(0);
      expect({
        scenario,
        errors: result.outcome.load.errorKinds,
        checks: result.outcome.checks,
      }).toEqual({
        scenario,
        errors: {},
        checks: Object.fromEntries(Object.keys(result.outcome.checks).map((k) => [k, 0])),
      });
    }
  }, 90_000);
});
