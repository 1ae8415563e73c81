import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { IdentityClient, type IdentityClientOptions } from './identity.client';
import { PermissionGuard } from './permission.guard';
import { ReportsController } from './reports.controller';

/** Closes the gRPC channel when the app stops. */
class IdentityClientCloser implements OnApplicationShutdown {
  constructor(@Inject(IdentityClient) private readonly client: IdentityClient) {}

  onApplicationShutdown(): void {
    this.client.close();
  }
}

/** The reporting service: one route, guarded by the identity service over gRPC. */
@Module({})
export class ReportingModule {
  static forRoot(identity: IdentityClientOptions): DynamicModule {
    return {
      module: ReportingModule,
      controllers: [ReportsController],
      providers: [
        { provide: IdentityClient, useFactory: () => new IdentityClient(identity) },
        IdentityClientCloser,
        { provide: APP_GUARD, useClass: PermissionGuard },
      ],
    };
  }
}
