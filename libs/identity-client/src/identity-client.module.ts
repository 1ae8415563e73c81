import {
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type ModuleMetadata,
  type OnModuleDestroy,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { IdentityClient } from './identity-client';
import {
  type IdentityClientOptions,
  type ResolvedOptions,
  resolveOptions,
} from './identity-client.options';
import { IdentityGuard } from './identity.guard';

/** DI token of the resolved options. */
export const IDENTITY_CLIENT_OPTIONS = Symbol('IDENTITY_CLIENT_OPTIONS');

/** Starts the client with the application and stops it (stream, channel) with it. */
@Injectable()
class IdentityClientLifecycle implements OnModuleInit, OnModuleDestroy {
  constructor(@Inject(IdentityClient) private readonly client: IdentityClient) {}

  onModuleInit(): void {
    this.client.start();
  }

  onModuleDestroy(): void {
    this.client.stop();
  }
}

export interface IdentityClientAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: (string | symbol | (abstract new (...args: never[]) => unknown))[];
  useFactory: (...args: never[]) => IdentityClientOptions | Promise<IdentityClientOptions>;
  /** See {@link IdentityClientOptions.globalGuard}; given here, since it shapes the module. */
  globalGuard?: boolean;
}

function createClient(options: ResolvedOptions): IdentityClient {
  const logger = new Logger('IdentityClient');
  return new IdentityClient({
    options,
    log: (level, message) => (level === 'warn' ? logger.warn(message) : logger.log(message)),
  });
}

/**
 * The identity platform for an internal Nest service, in one import:
 *
 * ```ts
 * IdentityClientModule.forRoot({
 *   grpc: { address: 'identity:50051', tls: { caPath: '/grpc/ca.crt', certPath, keyPath } },
 *   jwksUrl: 'https://id.example.com/.well-known/jwks.json',
 *   issuer: 'https://id.example.com',
 * })
 * ```
 *
 * Provides {@link IdentityClient} and {@link IdentityGuard}, the guard on every route unless
 * `globalGuard: false`. See the lib's README.
 */
@Module({})
export class IdentityClientModule {
  /** @throws Error listing every problem of the options. */
  static forRoot(options: IdentityClientOptions): DynamicModule {
    const resolved = resolveOptions(options);
    return IdentityClientModule.build(
      { provide: IDENTITY_CLIENT_OPTIONS, useValue: resolved },
      [],
      resolved.globalGuard,
    );
  }

  /** Options from other providers (a config service); they are checked when it resolves. */
  static forRootAsync(options: IdentityClientAsyncOptions): DynamicModule {
    return IdentityClientModule.build(
      {
        provide: IDENTITY_CLIENT_OPTIONS,
        inject: options.inject ?? [],
        useFactory: async (...args: never[]) => resolveOptions(await options.useFactory(...args)),
      },
      options.imports ?? [],
      options.globalGuard ?? true,
    );
  }

  private static build(
    optionsProvider: Provider,
    imports: NonNullable<ModuleMetadata['imports']>,
    globalGuard: boolean,
  ): DynamicModule {
    return {
      module: IdentityClientModule,
      global: true,
      imports,
      providers: [
        optionsProvider,
        {
          provide: IdentityClient,
          inject: [IDENTITY_CLIENT_OPTIONS],
          useFactory: createClient,
        },
        IdentityClientLifecycle,
        IdentityGuard,
        ...(globalGuard ? [{ provide: APP_GUARD, useExisting: IdentityGuard }] : []),
      ],
      exports: [IdentityClient, IdentityGuard, IDENTITY_CLIENT_OPTIONS],
    };
  }
}
