import { randomUUID } from 'node:crypto';
import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { RequirePermission, type VerifiedRequest } from './permission.guard';

/** What `POST /reports` answers. */
export interface ReportResponse {
  id: string;
  status: 'generated';
  requested_by: string;
  generated_at: string;
}

/** The demo's one business route: generating a report needs `reports:generate`. */
@Controller('reports')
export class ReportsController {
  @Post()
  @HttpCode(200)
  @RequirePermission('reports:generate')
  generate(@Req() req: VerifiedRequest): ReportResponse {
    return {
      id: randomUUID(),
      status: 'generated',
      requested_by: req.identity?.user_id ?? '',
      generated_at: new Date().toISOString(),
    };
  }
}
