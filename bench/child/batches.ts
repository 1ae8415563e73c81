const BATCH = 100;
const PARALLEL_BATCHES = 4;

/** Runs `fn` over [0, count) in batches of 100, four batches at a time. */
export async function inBatches(
  count: number,
  fn: (indexes: number[]) => Promise<void>,
): Promise<void> {
  const batches: number[][] = [];
  for (let i = 0; i < count; i += BATCH) {
    batches.push(Array.from({ length: Math.min(BATCH, count - i) }, (_, k) => i + k));
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let b = next++; b < batches.length; b = next++) await fn(batches[b] ?? []);
  };
  await Promise.all(Array.from({ length: PARALLEL_BATCHES }, () => worker()));
}
