import { Injectable } from '@nestjs/common';
import { Registry } from 'prom-client';
import { WebhookMetrics } from '@identity/delivery';
import { GrpcMetrics } from '../grpc/grpc-metrics';
import { HttpMetrics } from '../http/ops/http-metrics';

/**
 * One scrape of every registry of this instance: HTTP, password hashing and security metrics
 * (the app registry), gRPC, and the libs' own (webhook delivery). Served by `GET /metrics`
 * on the main port, or by the `METRICS_PORT` listener when that is set.
 */
@Injectable()
export class MetricsScrape {
  private merged: Registry | undefined;

  constructor(
    private readonly http: HttpMetrics,
    private readonly webhooks: WebhookMetrics,
    private readonly grpc: GrpcMetrics,
  ) {}

  /** The exposition (Prometheus text format) and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    // Merged at the first scrape, once every provider has registered its metrics.
    this.merged ??= Registry.merge([
      this.http.registry,
      this.webhooks.registry,
      this.grpc.registry,
    ]);
    return { contentType: this.merged.contentType, body: await this.merged.metrics() };
  }
}
