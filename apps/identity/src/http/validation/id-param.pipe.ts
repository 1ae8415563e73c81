import { type PipeTransform } from '@nestjs/common';
import { isUuid } from '@identity/kernel';
import { ProblemException } from '../problem/problem';

/**
 * The edge check of an id in a path (`/auth/sessions/:id`, `/admin/users/:id`): a value that
 * is not a UUID can name no resource, so it is answered like an unknown one (404 `not_found`)
 * before any lib sees it. Ids are handed on lower-cased, the form they are stored in.
 */
export class IdParamPipe implements PipeTransform<string, string> {
  constructor(private readonly what: string) {}

  transform(value: string): string {
    if (!isUuid(value)) throw new ProblemException(404, 'not_found', `No such ${this.what}.`);
    return value.toLowerCase();
  }
}

/** `@Param('id', IdParam('session'))`. */
export function IdParam(what: string): IdParamPipe {
  return new IdParamPipe(what);
}
