import { randomBytes } from 'node:crypto';
import * as argon2 from 'argon2';
import type { ChildFactory } from './main';
import { measureLoop } from './loop-run';
import type { LoopRun } from './protocol';

export interface Argon2Run extends LoopRun {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/**
 * Ceiling of `login`: argon2id verifies of one hash, at the app's parameters, with a 32-byte
 * secret like the app's pepper, on the libuv threadpool of the same size as the app's
 * (the runner passes the same UV_THREADPOOL_SIZE).
 */
export const startArgon2Loop: ChildFactory = (_args, meter) =>
  Promise.resolve({
    info: { threadpool: process.env.UV_THREADPOOL_SIZE ?? '4 (default)' },
    commands: {
      run: async (args) => {
        const run = args as Argon2Run;
        const secret = randomBytes(32);
        const password = 'correct horse battery staple 42';
        const hash = await argon2.hash(password, {
          type: argon2.argon2id,
          memoryCost: run.memoryCost,
          timeCost: run.timeCost,
          parallelism: run.parallelism,
          secret,
        });
        return measureLoop(meter, run, async () => {
          if (!(await argon2.verify(hash, password, { secret }))) throw new Error('verify failed');
        });
      },
    },
    close: () => Promise.resolve(),
  });
