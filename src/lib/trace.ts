import { SpanStatusCode, trace, type Attributes, type Context, type Link, type SpanKind, type Span } from "@opentelemetry/api";

/**
 * Lavka's spans. Without a tracer provider (OTEL_EXPORTER_OTLP_ENDPOINT unset, src/lib/tracing.ts)
 * they are no-ops that cost next to nothing.
 */
export const tracer = trace.getTracer("lavka");

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** Parent context (an extracted remote one); the active context when absent. */
  parent?: Context;
  links?: Link[];
}

/** Runs `fn` in a new active span, recording a thrown error on it; the span ends when `fn` settles. */
export async function inSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  const run = async (span: Span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  };
  const spanOptions = { kind: options.kind, attributes: options.attributes, links: options.links };
  return options.parent ? tracer.startActiveSpan(name, spanOptions, options.parent, run) : tracer.startActiveSpan(name, spanOptions, run);
}
