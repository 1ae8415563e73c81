import {
  type ArgumentsHost,
  Catch,
  Logger,
  Optional,
  type RpcExceptionFilter,
} from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { status } from '@grpc/grpc-js';
import { type Observable, throwError } from 'rxjs';
import { AccessError, type AccessErrorCode } from '@identity/access';
import { assertUnreachable } from '@identity/kernel';
import { DependencyOutages, isDependencyUnavailable } from '../bootstrap/dependency-outage';

/** What grpc-js turns into the call's status: `code` and `details` (from `message`). */
export interface GrpcStatusError {
  code: status;
  message: string;
}

/** A refusal to answer with `code`, thrown by the handlers themselves. */
export function grpcError(code: status, message: string): RpcException {
  return new RpcException({ code, message } satisfies GrpcStatusError);
}

function fromAccess(code: AccessErrorCode): GrpcStatusError {
  switch (code) {
    case 'access.user_not_found':
      return { code: status.NOT_FOUND, message: 'no such user' };
    case 'access.unknown_role':
    case 'access.role_not_found':
    case 'access.role_in_use':
    case 'access.invalid_role_name':
    case 'access.invalid_permission':
    case 'access.admin_permission_required':
    case 'access.last_admin':
      // Role administration is not offered over gRPC; reaching here is a bug.
      return { code: status.INTERNAL, message: 'internal error' };
    default:
      return assertUnreachable(code);
  }
}

/**
 * The gRPC face's error mapping: domain errors to status codes, exhaustively; Postgres or
 * Redis down is `UNAVAILABLE` (clients retry it; logged once per outage by
 * {@link DependencyOutages}); anything else unknown (a bug) is logged and answered `INTERNAL`
 * with no detail.
 * Scoped to the gRPC controllers, ahead of the global (HTTP-only) problem filter.
 */
@Catch()
export class GrpcErrorsFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('gRPC');

  constructor(@Optional() private readonly outages?: DependencyOutages) {}

  catch(err: unknown, _host: ArgumentsHost): Observable<never> {
    const answer = this.toStatus(err);
    return throwError(() => answer);
  }

  private toStatus(err: unknown): GrpcStatusError {
    if (err instanceof RpcException) {
      const answer = err.getError();
      if (typeof answer === 'object' && answer !== null && 'code' in answer) {
        return answer as GrpcStatusError;
      }
    }
    if (err instanceof AccessError) return fromAccess(err.code);
    if (isDependencyUnavailable(err)) {
      // Once per outage, not per call.
      this.outages?.report(err, { transport: 'grpc' });
      return { code: status.UNAVAILABLE, message: 'a dependency is unavailable; retry shortly' };
    }
    this.logger.error(
      { err: err instanceof Error ? (err.stack ?? err.message) : String(err) },
      'unhandled error in a gRPC call',
    );
    return { code: status.INTERNAL, message: 'internal error' };
  }
}
