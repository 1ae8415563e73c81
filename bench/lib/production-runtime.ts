/**
 * The runtime settings of the production image (`docker/Dockerfile`'s `ENV`) that change how
 * the process performs: the bench starts its app instances with them, so its figures are the
 * image's. `production-runtime.spec.ts` fails when the two disagree.
 */
export const PRODUCTION_RUNTIME_ENV: Readonly<Record<string, string>> = {
  /** A cap on V8's old generation at about twice the live heap: keeps RSS under 250 MB. */
  NODE_OPTIONS: '--max-old-space-size=160',
  // No MALLOC_ARENA_MAX: two arenas halved login throughput (bench/README.md, "Memory").
};
