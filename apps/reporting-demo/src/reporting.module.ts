import { type DynamicModule, Module } from '@nestjs/common';
import { IdentityClientModule } from '@identity/identity-client';
import { identityClientOptions, type ReportingIdentitySettings } from './reporting.config';
import { HealthController, ReportsController } from './reports.controller';

/**
 * The reporting service: one business route, guarded by the identity platform's SDK (every
 * route needs a token unless `@Public()`; tokens are verified locally and revocations pushed).
 */
@Module({})
export class ReportingModule {
  static forRoot(identity: ReportingIdentitySettings): DynamicModule {
    return {
      module: ReportingModule,
      imports: [IdentityClientModule.forRoot(identityClientOptions(identity))],
      controllers: [ReportsController, HealthController],
    };
  }
}
