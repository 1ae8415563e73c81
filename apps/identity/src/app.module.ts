import {
  type DynamicModule,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  type Type,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AccessModule } from '@identity/access';
import { AccountsModule } from '@identity/accounts';
import { AuditModule } from '@identity/audit';
import { type AppConfig, ConfigModule } from '@identity/config';
import { DatabaseModule } from '@identity/database';
import { DeliveryModule } from '@identity/delivery';
import {
  FederatedAccountsModule,
  type FederatedCallbackHandler,
  FederatedSignInHandler,
} from '@identity/federation';
import { ClockModule, type Clock } from '@identity/kernel';
import { KvModule } from '@identity/kv';
import { MfaModule } from '@identity/mfa';
import { PasswordsModule } from '@identity/passwords';
import { ProtectionModule } from '@identity/protection';
import { SignInModule } from '@identity/signin';
import { SessionsModule } from '@identity/sessions';
import { TokensModule } from '@identity/tokens';
import { migrations } from '../../../migrations';
import { DependencyOutageModule } from './bootstrap/dependency-outage';
import { loggerParams } from './bootstrap/logging';
import { AccessGuard } from './http/auth/access.guard';
import { AuthRateLimitMiddleware } from './http/auth/auth-rate-limit.middleware';
import { CsrfTokens } from './http/auth/csrf-tokens';
import { RefreshCredentials } from './http/auth/refresh-credentials';
import { TokenResponder } from './http/auth/token-responder';
import { IdentityGrpcModule } from './grpc/identity-grpc.module';
import { AdminModule } from './http/controllers/admin.module';
import { FederationHttpModule } from './http/federation/federation-http.module';
import { ApiDocsModule } from './http/openapi/api-docs.module';
import { SelfServiceHttpModule } from './http/self-service/self-service-http.module';
import { AuthController } from './http/controllers/auth.controller';
import { JwksController } from './http/controllers/jwks.controller';
import { MfaController } from './http/controllers/mfa.controller';
import { SessionsController } from './http/controllers/sessions.controller';
import { HttpMetrics } from './http/ops/http-metrics';
import { PasswordHashMetrics } from './http/ops/password-hash-metrics';
import { OpsController } from './http/ops/ops.controller';
import { Readiness } from './http/ops/readiness';
import { ProblemDetailsFilter } from './http/problem/problem-details.filter';
import { MetricsScrape } from './observability/metrics-scrape';
import { SecurityMetrics } from './observability/security-metrics';
import { WebController } from './web/web.controller';
import { SessionsSocketModule } from './ws/sessions-socket.module';

export interface AppModuleOptions {
  /** Where logs go (tests capture them); default stdout. */
  logStream?: DestinationStream;
  /** Extra modules to mount (tests add probes). */
  extraModules?: Type[];
  /** The time the app goes by; the system clock unless a test moves its own. */
  clock?: Clock;
  /**
   * The federated sign-in handler; `FederatedSignInHandler` unless a test observes it through
   * a subclass (the rules still run).
   */
  federationHandler?: Type<FederatedCallbackHandler>;
}

/** The identity deployable: one module tree for REST, gRPC and socket.io. */
@Module({})
export class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AuthRateLimitMiddleware).forRoutes('auth/{*path}');
  }

  static forRoot(config: AppConfig, options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule.forRoot(options.clock),
        LoggerModule.forRoot(loggerParams(config, options.logStream)),
        DependencyOutageModule,
        DatabaseModule.forRoot({ migrations }),
        KvModule.forRoot({
          redisUrl: config.redis.url,
          redisSentinel: config.redis.sentinel,
          keyPrefix: config.redis.keyPrefix,
        }),
        AuditModule,
        DeliveryModule,
        AccessModule,
        TokensModule,
        SessionsModule,
        AccountsModule,
        SignInModule,
        MfaModule,
        SessionsSocketModule,
        ProtectionModule,
        PasswordsModule,
        AdminModule,
        SelfServiceHttpModule,
        IdentityGrpcModule,
        FederationHttpModule.forRoot({
          handler: options.federationHandler ?? FederatedSignInHandler,
          imports: [FederatedAccountsModule],
        }),
        ...(config.http.apiDocs ? [ApiDocsModule] : []),
        ...(options.extraModules ?? []),
      ],
      controllers: [
        OpsController,
        JwksController,
        AuthController,
        MfaController,
        SessionsController,
        WebController,
      ],
      providers: [
        HttpMetrics,
        PasswordHashMetrics,
        SecurityMetrics,
        MetricsScrape,
        Readiness,
        CsrfTokens,
        TokenResponder,
        RefreshCredentials,
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_GUARD, useClass: AccessGuard },
      ],
    };
  }
}
