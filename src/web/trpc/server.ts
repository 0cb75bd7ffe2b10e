import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import { createLavkaClient } from "~/client";
import { webConfig } from "~/web/config";
import { forwardedRequestHeaders } from "~/web/request-headers";
import { readSessionToken } from "~/web/session";

/**
 * The browser's address as the ingress recorded it, passed on so the API's per-address limits
 * (sign-in, registration) see people rather than this server (absent when nothing proxies us);
 * and the request's id and trace context, so the API's log lines and spans join this request's.
 */
async function forwardedHeaders(): Promise<Record<string, string>> {
  const incoming = await headers();
  const value = incoming.get("x-forwarded-for");
  return { ...forwardedRequestHeaders(incoming), ...(value ? { "x-forwarded-for": value } : {}) };
}

/**
 * Server components and actions call the API over HTTP with the signed-in person's token from
 * the session cookie; the web process never touches the database. One client per request.
 */
export const api = cache(async () =>
  createLavkaClient({ url: webConfig().API_URL, token: await readSessionToken(), headers: await forwardedHeaders() }),
);

/** For calls made before sign-in (sign-in and registration themselves). */
export async function anonymousApi() {
  return createLavkaClient({ url: webConfig().API_URL, headers: await forwardedHeaders() });
}
