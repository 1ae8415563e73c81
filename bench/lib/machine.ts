import { cpus, loadavg, totalmem } from 'node:os';
import { Client } from 'pg';

/** Where a run happened: the README's table states it next to the figures. */
export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  postgres: string;
  platform: string;
  /** 1-minute load average at the start: above 0.5 or so, something else was running. */
  loadAverageAtStart: number;
  threadpool: string;
}

export async function describeMachine(pgUrl: string): Promise<Machine> {
  const client = new Client({ connectionString: pgUrl });
  await client.connect();
  let postgres = 'unknown';
  try {
    const { rows } = await client.query<{ v: string }>(
      "SELECT current_setting('server_version') AS v",
    );
    postgres = rows[0]?.v ?? postgres;
  } finally {
    await client.end();
  }
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    postgres,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    threadpool: process.env.UV_THREADPOOL_SIZE ?? '4 (default)',
  };
}
