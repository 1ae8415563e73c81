import Redis from 'ioredis';

/** Deletes the run's keys (`<prefix>*`), SCAN by SCAN; bounded by `maxRounds`. */
export async function deleteKeysWithPrefix(url: string, prefix: string, maxRounds = 10_000) {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    for (let round = 0; round < maxRounds; round++) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
      if (cursor === '0') return;
    }
  } finally {
    redis.disconnect();
  }
}
