import { Controller, Get, Header, HttpCode, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Registry } from 'prom-client';
import { WebhookMetrics } from '@identity/delivery';
import { GrpcMetrics } from '../../grpc/grpc-metrics';
import { Public } from '../auth/route-access.decorators';
import { PROBLEM_CONTENT_TYPE, problemBody } from '../problem/problem';
import { HttpMetrics } from './http-metrics';
import { Readiness } from './readiness';

/** Liveness, readiness and Prometheus metrics. */
@Controller()
@Public()
export class OpsController {
  constructor(
    private readonly readiness: Readiness,
    private readonly metrics: HttpMetrics,
    private readonly webhookMetrics: WebhookMetrics,
    private readonly grpcMetrics: GrpcMetrics,
  ) {}

  @Get('healthz')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  async readyz(@Res() res: Response): Promise<void> {
    const report = await this.readiness.check();
    res.setHeader('Cache-Control', 'no-store');
    if (report.ready) {
      res.status(200).json({ status: 'ready', checks: report.checks });
      return;
    }
    const failed = Object.entries(report.checks)
      .filter(([, state]) => state === 'down' || state === 'rebuilding')
      .map(([name]) => name);
    if (report.draining) failed.push('shutting_down');
    // Limits still hold while Redis is away, but per instance only: say so.
    const degraded = report.limitsDegraded ? { degraded: ['rate_limits'] } : {};
    res
      .status(503)
      .type(PROBLEM_CONTENT_TYPE)
      .send(
        JSON.stringify({
          ...problemBody(503, 'unavailable', `not ready: ${failed.join(', ')}`),
          failed,
          checks: report.checks,
          ...degraded,
        }),
      );
  }

  /** The HTTP and gRPC metrics and the libs' own registries (webhook delivery), as one scrape. */
  @Get('metrics')
  async scrape(@Res() res: Response): Promise<void> {
    const registry = Registry.merge([
      this.metrics.registry,
      this.webhookMetrics.registry,
      this.grpcMetrics.registry,
    ]);
    res.setHeader('Content-Type', registry.contentType);
    res.send(await registry.metrics());
  }
}
