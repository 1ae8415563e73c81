import { Module } from '@nestjs/common';
import { AccessModule } from '@identity/access';
import { GrpcMetrics } from './grpc-metrics';
import { IdentityGrpcController } from './identity-grpc.controller';

/**
 * The handlers of `identity.v1.IdentityService`. The server itself (port, TLS, health,
 * reflection) is `grpc-options.ts`, connected in `bootstrap/start-app.ts`.
 */
@Module({
  imports: [AccessModule],
  controllers: [IdentityGrpcController],
  providers: [GrpcMetrics],
  exports: [GrpcMetrics],
})
export class IdentityGrpcModule {}
