import { z } from 'zod';

/** `?limit=` of a paged list: a whole number from 1 to `max`, optional (the route's default). */
export function pageLimit(max: number) {
  return z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(max, `must be at most ${max}`)
    .optional();
}
