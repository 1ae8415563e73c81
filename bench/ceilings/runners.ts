import { cpus } from 'node:os';
import { join } from 'node:path';
import type { ChildRole, LoopResult } from '../child/protocol';
import { ChildHandle } from '../lib/child-handle';
import type { LoadResult } from '../lib/http-load';
import { cpuStopwatch } from '../lib/machine-cpu';
import type { CeilingName, CeilingResult } from './ceilings';
import type { CeilingEnv } from './definitions';

interface Common {
  name: CeilingName;
  summary: string;
  role: ChildRole;
  args?: unknown;
  params: Record<string, number | string>;
}

function spawn(env: CeilingEnv, c: Common): Promise<ChildHandle> {
  const { threadpool, logDir } = env.fleet.config;
  return ChildHandle.spawn(c.role, c.args ?? {}, {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      ...(threadpool ? { UV_THREADPOOL_SIZE: threadpool } : {}),
    },
    logFile: join(logDir, `ceiling-${c.name}.log`),
  });
}

/** A raw loop that measures itself in its own process (argon2, jose, pg). */
export async function loopCeiling(
  env: CeilingEnv,
  c: Common & { run: Record<string, unknown> },
): Promise<CeilingResult> {
  const child = await spawn(env, c);
  try {
    const stop = cpuStopwatch(cpus().length);
    const r = await child.request<LoopResult>('run', {
      warmupMs: env.options.warmupS * 1000,
      durationMs: env.options.ceilingS * 1000,
      ...c.run,
    });
    const load: LoadResult = {
      throughput: r.opsPerSecond,
      ok: r.ops,
      errors: r.errors,
      errorKinds: r.errors > 0 ? { failed: r.errors } : {},
      seconds: r.seconds,
      latency: r.latency,
    };
    // The loop warms up inside the same request: the window here includes its warm-up.
    const cpu = stop();
    return {
      name: c.name,
      summary: c.summary,
      load,
      usage: r.usage,
      params: c.params,
      loadGeneratorCpuPercent: cpu.self,
      machineCpuPercent: cpu.machine,
    };
  } finally {
    await child.stop();
  }
}

/** A bare server in its own process, loaded from here like the app is: warm-up, then measure. */
export async function serverCeiling(
  env: CeilingEnv,
  c: Common & { load: (child: ChildHandle, durationS: number) => Promise<LoadResult> },
): Promise<CeilingResult> {
  const child = await spawn(env, c);
  try {
    await c.load(child, env.options.warmupS);
    await child.resetUsage();
    const stop = cpuStopwatch(cpus().length);
    const load = await c.load(child, env.options.ceilingS);
    const cpu = stop();
    return {
      name: c.name,
      summary: c.summary,
      load,
      usage: await child.readUsage(),
      params: c.params,
      loadGeneratorCpuPercent: cpu.self,
      machineCpuPercent: cpu.machine,
    };
  } finally {
    await child.stop();
  }
}
