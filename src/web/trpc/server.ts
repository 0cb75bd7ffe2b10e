import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import { createLavkaClient } from "~/client";
import { webConfig } from "~/web/config";
import { readSessionToken } from "~/web/session";

/**
 * The browser's address as the ingress recorded it, passed on so the API's per-address limits
 * (sign-in, registration) see people rather than this server. Absent when nothing proxies us.
 */
async function forwardedFor(): Promise<Record<string, string>> {
  const value = (await headers()).get("x-forwarded-for");
  return value ? { "x-forwarded-for": value } : {};
}

/**
 * Server components and actions call the API over HTTP with the signed-in person's token from
 * the session cookie; the web process never touches the database. One client per request.
 */
export const api = cache(async () =>
  createLavkaClient({ url: webConfig().API_URL, token: await readSessionToken(), headers: await forwardedFor() }),
);

/** For calls made before sign-in (sign-in and registration themselves). */
export async function anonymousApi() {
  return createLavkaClient({ url: webConfig().API_URL, headers: await forwardedFor() });
}
