import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRODUCTION_RUNTIME_ENV } from './production-runtime';

/** `KEY=value` pairs of every ENV instruction of the runtime stage (continuation lines joined). */
function runtimeEnv(dockerfile: string): Record<string, string> {
  const runtime = dockerfile.slice(dockerfile.indexOf(' AS runtime'));
  const joined = runtime.replace(/\\\n\s*/g, ' ');
  const env: Record<string, string> = {};
  for (const line of joined.split('\n')) {
    const m = /^ENV\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    for (const pair of m[1]!.trim().split(/\s+/)) {
      const eq = pair.indexOf('=');
      if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return env;
}

describe('bench runtime settings', () => {
  it("are the production image's", () => {
    const dockerfile = readFileSync(join(__dirname, '../../docker/Dockerfile'), 'utf8');
    const env = runtimeEnv(dockerfile);
    expect(env).toMatchObject(PRODUCTION_RUNTIME_ENV);
    expect(env.NODE_ENV).toBe('production');
  });
});
