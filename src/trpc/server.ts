import "server-only";
import { cache } from "react";
import { createLavkaClient } from "~/client";
import { webConfig } from "~/web/config";
import { readSessionToken } from "~/web/session";

/**
 * Server components and actions call the API over HTTP with the signed-in person's token from
 * the session cookie; the web process never touches the database. One client per request.
 */
export const api = cache(async () => createLavkaClient({ url: webConfig().API_URL, token: await readSessionToken() }));

/** For public data that must not depend on who is asking (and calls made before sign-in). */
export function anonymousApi() {
  return createLavkaClient({ url: webConfig().API_URL });
}
