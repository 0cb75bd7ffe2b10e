import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";

export interface TracingOptions {
  /** `service.name` of every span. */
  service: string;
  /** OTLP/HTTP collector base URL (OTEL_EXPORTER_OTLP_ENDPOINT); spans go to `<endpoint>/v1/traces`. */
  endpoint?: string;
  /** Instead of OTLP: an exporter that receives each span as it ends (tests pass the SDK's InMemorySpanExporter). */
  exporter?: SpanExporter;
}

export interface Tracing {
  /** Sends what is still buffered and stops. */
  shutdown(): Promise<void>;
}

/**
 * Starts tracing for this process: registers a tracer provider, the W3C trace-context propagator
 * and an AsyncLocalStorage context manager with the OpenTelemetry API, so the spans of
 * src/lib/trace.ts are recorded and exported. Returns null (tracing off) without an endpoint or
 * exporter: the default.
 */
export function startTracing(options: TracingOptions): Tracing | null {
  const processor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : options.endpoint
      ? new BatchSpanProcessor(new OTLPTraceExporter({ url: new URL("v1/traces", options.endpoint.endsWith("/") ? options.endpoint : `${options.endpoint}/`).href }))
      : null;
  if (!processor) return null;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.service }),
    spanProcessors: [processor],
  });
  provider.register();
  return { shutdown: () => provider.shutdown() };
}
