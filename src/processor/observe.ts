import { SpanKind } from "@opentelemetry/api";
import { REQUEST_ID_HEADER, requestIdFrom, traceContextFrom, withRequestId } from "~/lib/request-context";
import { inSpan } from "~/lib/trace";
import type { Consumer } from "./messaging/consumer";

/**
 * A consumer that follows the request its event came from: the event's request id (a new one for
 * events no request caused, such as expiry's) is current while it runs, so its logs, the events
 * it writes and its calls to external services carry it; a span that continues the request's
 * trace; and one log line per handling with the outcome and duration.
 */
export function observeConsumer(consumer: Consumer): Consumer {
  return {
    ...consumer,
    handle(event, ctx) {
      const headers = event.headers ?? {};
      const requestId = requestIdFrom(headers[REQUEST_ID_HEADER]);
      const logger = ctx.logger.child({ requestId });
      const line = { consumer: consumer.name, eventType: event.type, eventId: event.id, attempt: ctx.attempt };
      return withRequestId(requestId, () =>
        inSpan(
          `consume ${consumer.name} ${event.type}`,
          {
            kind: SpanKind.CONSUMER,
            parent: traceContextFrom(headers),
            attributes: { "messaging.operation.type": "process", "messaging.consumer.group.name": consumer.name, "messaging.message.id": event.id, "lavka.event_type": event.type, "lavka.request_id": requestId },
          },
          async () => {
            const started = performance.now();
            try {
              await consumer.handle(event, { ...ctx, logger });
              logger.info({ ...line, outcome: "done", durationMs: Math.round(performance.now() - started) }, "event handled");
            } catch (error) {
              logger.info({ ...line, outcome: "failed", durationMs: Math.round(performance.now() - started) }, "event handled");
              throw error;
            }
          },
        ),
      );
    },
  };
}
