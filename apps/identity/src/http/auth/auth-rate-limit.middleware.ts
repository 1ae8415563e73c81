import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { RequestThrottle } from '@identity/protection';
import { sendProblem } from '../problem/problem-details.filter';
import { clientOf } from './principal';

/**
 * The first line of defence on `/auth/*`: a general per-IP budget (AUTH_PER_IP_PER_MINUTE),
 * before any body is parsed into work. The client IP follows TRUST_PROXY (express `req.ip`):
 * a spoofed X-Forwarded-For from an untrusted peer does not move the caller to a new counter.
 */
@Injectable()
export class AuthRateLimitMiddleware implements NestMiddleware {
  constructor(private readonly throttle: RequestThrottle) {}

  use(req: Request, res: Response, next: NextFunction): void {
    this.throttle.consume(clientOf(req).ip).then(
      () => next(),
      (err: unknown) => void sendProblem(res, err),
    );
  }
}
