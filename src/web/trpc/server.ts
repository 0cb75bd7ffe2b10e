import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import { createLavkaClient } from "~/client";
import { webConfig } from "~/web/config";
import { isUnauthorized } from "~/web/forms";
import { forwardedRequestHeaders } from "~/web/request-headers";
import { readSessionToken } from "~/web/session";
import type { Outputs } from "~/web/types";

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

export type Viewer = Outputs["auth"]["me"];

/**
 * The session cookie's token while the API still accepts it, with whom it belongs to; null for
 * visitors. A token the API refuses (signed out in another browser, a password or role change
 * ended the session, expired) counts as no session: the API refuses every call that carries it,
 * public ones included, so the person must see the shop as a visitor, not an outage. Other API
 * failures propagate to the error page rather than silently signing the person out. Once per request.
 */
export const currentSession = cache(async (): Promise<{ token: string; viewer: Viewer } | null> => {
  const token = await readSessionToken();
  if (!token) return null;
  try {
    const viewer = await createLavkaClient({ url: webConfig().API_URL, token, headers: await forwardedHeaders() }).auth.me.query();
    return { token, viewer };
  } catch (error) {
    if (isUnauthorized(error)) return null;
    throw error;
  }
});

/**
 * Server components and actions call the API over HTTP with the signed-in person's token from
 * the session cookie; the web process never touches the database. One client per request.
 */
export const api = cache(async () =>
  createLavkaClient({ url: webConfig().API_URL, token: (await currentSession())?.token ?? null, headers: await forwardedHeaders() }),
);

/** For calls made before sign-in (sign-in and registration themselves). */
export async function anonymousApi() {
  return createLavkaClient({ url: webConfig().API_URL, headers: await forwardedHeaders() });
}
