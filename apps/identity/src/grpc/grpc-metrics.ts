import { Injectable } from '@nestjs/common';
import { ServerInterceptingCall, type ServerInterceptor, status } from '@grpc/grpc-js';
import { Counter, Gauge, Registry } from 'prom-client';
import { RevocationFeed } from '@identity/access';

/**
 * Prometheus metrics of the gRPC face: calls by method and final status (how much
 * `VerifyToken` traffic the services send, and whether SDK users verify locally), and how many
 * `WatchRevocations` streams this instance serves. Scraped with the others at `/metrics`.
 */
@Injectable()
export class GrpcMetrics {
  readonly registry = new Registry();
  private readonly calls: Counter<'method' | 'code'>;

  constructor(feed: RevocationFeed) {
    this.calls = new Counter({
      name: 'identity_grpc_calls_total',
      help: 'gRPC calls answered, by method (service/method) and status code name',
      labelNames: ['method', 'code'],
      registers: [this.registry],
    });
    new Gauge({
      name: 'identity_revocation_watchers',
      help: 'WatchRevocations streams this instance serves',
      registers: [this.registry],
      collect() {
        this.set(feed.watching);
      },
    });
  }

  /** Counts every call of every service on the port once its status is sent. */
  readonly interceptor: ServerInterceptor = (descriptor, call) =>
    new ServerInterceptingCall(call, {
      sendStatus: (sent, next) => {
        this.calls.inc({ method: descriptor.path.replace(/^\//, ''), code: status[sent.code] });
        next(sent);
      },
    });
}
