import { Controller, Get, Header, HttpCode, NotFoundException, Res } from '@nestjs/common';
import type { Response } from 'express';
import { type AppConfig, InjectConfig } from '@identity/config';
import { MetricsScrape } from '../../observability/metrics-scrape';
import { Public } from '../auth/route-access.decorators';
import { PROBLEM_CONTENT_TYPE, problemBody } from '../problem/problem';
import { Readiness } from './readiness';

/** Liveness, readiness and Prometheus metrics. */
@Controller()
@Public()
export class OpsController {
  constructor(
    private readonly readiness: Readiness,
    private readonly metrics: MetricsScrape,
    @InjectConfig() private readonly config: AppConfig,
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
    // With Redis down the denylist cannot be rebuilt yet: Redis is the cause to name (API.md:
    // "which failed"); `checks` still shows the denylist as rebuilding.
    const failed = Object.entries(report.checks)
      .filter(([, state]) => state === 'down' || state === 'rebuilding')
      .map(([name]) => name)
      .filter((name) => name !== 'denylist' || report.checks.redis !== 'down');
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

  /**
   * Every metric of this instance as one scrape; a 404 (as for any unknown path) when
   * `METRICS_PORT` moves it to a listener of its own.
   */
  @Get('metrics')
  async scrape(@Res() res: Response): Promise<void> {
    if (this.config.metrics.port !== undefined) throw new NotFoundException();
    const { contentType, body } = await this.metrics.render();
    res.setHeader('Content-Type', contentType);
    res.send(body);
  }
}
