import type { IncomingMessage } from 'node:http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { envDetector, hostDetector } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { AppConfig } from '@identity/config';
import { SpanScrubber } from './span-scrubber';

/** Probes and scrapes: frequent, and telling nothing a trace would help with. */
const UNTRACED_PATHS = /^\/(healthz|readyz|metrics)(\?|$)/;

export interface Tracing {
  /** Flushes the spans still buffered and stops exporting. */
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry tracing: HTTP (server and client), Express routes, gRPC, Postgres and
 * Redis spans, exported over OTLP/HTTP (JSON) to `<endpoint>/v1/traces`, W3C `traceparent`
 * honoured (the SDK's default propagator). Must run before express, pg, ioredis and grpc are
 * first required, which is why main.ts imports the app only after this.
 *
 * No personal data in spans: Postgres spans carry the SQL text (parameterised: values are
 * `$n`) but never the parameters, Redis spans the command name only, HTTP spans neither
 * query strings nor the client's address or user agent (`SpanScrubber`). Database and Redis
 * calls made outside any request or job (pool pings, the socket.io adapter, the outbox's
 * idle polls) make no spans of their own.
 */
export function startTracing(config: AppConfig['tracing'] & { otlpEndpoint: string }): Tracing {
  const url = `${config.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
  const sdk = new NodeSDK({
    serviceName: config.serviceName,
    resourceDetectors: [envDetector, hostDetector],
    spanProcessors: [new SpanScrubber(), new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
    // Traces only: no OTLP metrics or logs unless configured here (the SDK would otherwise
    // default both to an OTLP exporter).
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req: IncomingMessage) => UNTRACED_PATHS.test(req.url ?? ''),
        requireParentforOutgoingSpans: true,
      }),
      new ExpressInstrumentation(),
      new GrpcInstrumentation(),
      new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true }),
      new IORedisInstrumentation({
        requireParentSpan: true,
        dbStatementSerializer: (command) => command,
      }),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
