import { randomUUID } from 'node:crypto';
import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  CurrentUser,
  IdentityClient,
  type IdentityClientStatus,
  type IdentityUser,
  Public,
  RequirePermissions,
} from '@identity/identity-client';

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
  @RequirePermissions('reports:generate')
  generate(@CurrentUser() user: IdentityUser): ReportResponse {
    return {
      id: randomUUID(),
      status: 'generated',
      requested_by: user.userId,
      generated_at: new Date().toISOString(),
    };
  }
}

/** Liveness, with how tokens are being verified (locally, or by the platform). */
@Controller('healthz')
@Public()
export class HealthController {
  constructor(private readonly identity: IdentityClient) {}

  @Get()
  health(): { status: 'ok'; identity: IdentityClientStatus['mode'] } {
    return { status: 'ok', identity: this.identity.status().mode };
  }
}
