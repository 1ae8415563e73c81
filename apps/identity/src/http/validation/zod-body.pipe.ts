import { type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { ProblemException } from '../problem/problem';

/**
 * Validates a request body (or query) with a strict zod schema: unknown fields are refused,
 * so a client can never set `roles`, `email_verified` or `id` itself. Answers 400
 * `validation_failed` with one `{ field, message }` per problem.
 */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const parsed = this.schema.safeParse(value ?? {});
    if (parsed.success) return parsed.data;
    const errors = parsed.error.issues.flatMap((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => ({ field: key, message: 'is not an accepted field' }));
      }
      return [{ field: issue.path.join('.') || '(body)', message: issue.message }];
    });
    throw new ProblemException(400, 'validation_failed', 'The request has invalid fields.', {
      errors,
    });
  }
}
