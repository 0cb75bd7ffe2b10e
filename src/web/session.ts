import "server-only";
import { cookies, headers } from "next/headers";
import { isHttpsRequest, isSameOriginRequest } from "./origin";

/** The access token lives only in this httpOnly cookie: page scripts never see it. */
export const SESSION_COOKIE = "lavka_session";

/** Upper bound on the cookie's life; the token's own expiry is what the API enforces. */
const MAX_AGE_SECONDS = 60 * 60 * 24 * 7;

export async function readSessionToken(): Promise<string | null> {
  return (await cookies()).get(SESSION_COOKIE)?.value ?? null;
}

export async function setSessionToken(token: string, expiresAt?: Date | null): Promise<void> {
  const secure = isHttpsRequest(await headers());
  const maxAge = expiresAt
    ? Math.max(0, Math.min(MAX_AGE_SECONDS, Math.floor((expiresAt.getTime() - Date.now()) / 1000)))
    : MAX_AGE_SECONDS;
  (await cookies()).set(SESSION_COOKIE, token, { httpOnly: true, sameSite: "lax", secure, path: "/", maxAge });
}

export async function clearSessionToken(): Promise<void> {
  (await cookies()).delete(SESSION_COOKIE);
}

/** Server actions call this first: a state change must come from one of our own pages. */
export async function assertSameOrigin(): Promise<void> {
  if (!isSameOriginRequest(await headers())) throw new Error("This request did not come from a Lavka page.");
}
