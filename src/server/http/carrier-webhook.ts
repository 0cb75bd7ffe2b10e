import type http from "node:http";
import { z } from "zod";
import type { Logger } from "~/lib/logger";
import { sendJson } from "~/lib/probes";
import { BodyIncompleteError, BodyTooLargeError, readBody, refuseTooLarge } from "./body";
import type { CarrierUpdateResult } from "../../core/domain/delivery/tracking";
import { CARRIER_SIGNATURE_HEADER, carrierCallbackSchema, verifyCarrierSignature, type CarrierCallback } from "../../core/integrations/carrier";

export const CARRIER_WEBHOOK_PATH = "/webhooks/carrier";

/** Status callbacks are a few hundred bytes; anything near this is not from the carrier. */
export const CARRIER_WEBHOOK_MAX_BYTES = 64 * 1024;

/** What applying a callback did (applyCarrierUpdate's outcome); a repeat is "duplicate", still a 200. */
export type CarrierUpdateOutcome = CarrierUpdateResult["outcome"];

export interface CarrierWebhookOptions {
  /** HMAC key shared with the carrier; empty means callbacks are not configured (503). */
  secret: string;
  apply: (update: CarrierCallback) => Promise<CarrierUpdateOutcome>;
  logger: Logger;
  maxBytes?: number;
}

/**
 * POST /webhooks/carrier: the carrier's status callbacks. The signature is checked over the raw
 * body before anything else is looked at; the body is then validated and applied idempotently
 * (the carrier redelivers until it gets a 2xx, so a repeat must answer 200 and change nothing).
 */
export async function handleCarrierWebhook(req: http.IncomingMessage, res: http.ServerResponse, options: CarrierWebhookOptions): Promise<void> {
  if (req.method !== "POST") {
    res.setHeader("allow", "POST");
    sendJson(res, 405, { error: "method not allowed", hint: "carrier callbacks are POSTed" });
    return;
  }
  if (options.secret === "") {
    sendJson(res, 503, { error: "carrier callbacks are not configured (CARRIER_WEBHOOK_SECRET is unset)" });
    return;
  }
  // The exact bytes: the signature covers them, not a re-serialisation.
  let raw: Buffer;
  try {
    raw = await readBody(req, options.maxBytes ?? CARRIER_WEBHOOK_MAX_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return refuseTooLarge(req, res, error);
    if (error instanceof BodyIncompleteError) return;
    throw error;
  }
  const signature = req.headers[CARRIER_SIGNATURE_HEADER];
  if (!verifyCarrierSignature(raw, Array.isArray(signature) ? signature[0] : signature, options.secret)) {
    options.logger.warn({ path: CARRIER_WEBHOOK_PATH, bytes: raw.length }, "carrier callback with a missing or wrong signature");
    sendJson(res, 401, { error: `invalid or missing ${CARRIER_SIGNATURE_HEADER} signature` });
    return;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString("utf8"));
  } catch {
    sendJson(res, 400, { error: "body is not valid JSON" });
    return;
  }
  const parsed = carrierCallbackSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`);
    sendJson(res, 400, { error: `invalid callback: ${problems.join("; ")}`, issues: z.flattenError(parsed.error).fieldErrors });
    return;
  }
  const outcome = await options.apply(parsed.data);
  if (outcome === "unknown_shipment") {
    // Possibly a callback racing our own record of the shipment: a non-2xx makes the carrier retry.
    options.logger.warn({ carrierRef: parsed.data.carrierRef, eventId: parsed.data.eventId }, "carrier callback for an unknown shipment");
    sendJson(res, 404, { error: `no shipment with carrierRef ${parsed.data.carrierRef}` });
    return;
  }
  sendJson(res, 200, { status: outcome, eventId: parsed.data.eventId });
}
