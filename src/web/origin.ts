import { hasControlCharacters } from "~/core/text";

/**
 * CSRF guard for anything that changes state (the tRPC proxy's POSTs, server actions, auth
 * route handlers). The session cookie is SameSite=Lax, which already stops most cross-site
 * POSTs; this check also refuses same-site-but-other-origin requests and old browsers.
 */
export function isSameOriginRequest(headers: Headers): boolean {
  const fetchSite = headers.get("sec-fetch-site");
  if (fetchSite) return fetchSite === "same-origin";
  const origin = headers.get("origin");
  if (!origin) return false;
  const host = headers.get("x-forwarded-host") ?? headers.get("host");
  if (!host) return false;
  try {
    return new URL(origin).host === host.split(",")[0]!.trim();
  } catch {
    return false;
  }
}

/** Whether the browser reached us over https (directly or through a TLS-terminating proxy). */
export function isHttpsRequest(headers: Headers): boolean {
  const forwarded = headers.get("x-forwarded-proto");
  if (forwarded) return forwarded.split(",")[0]!.trim() === "https";
  return headers.get("origin")?.startsWith("https:") ?? false;
}

/**
 * Where to go after signing in: only a path on this site (an attacker-supplied
 * ?next=https://evil.test or //evil.test must not redirect off-site), and nothing with a control
 * character (a line break or NUL cannot go into the redirect's header: the action failed).
 */
export function safeNextPath(value: unknown, fallback: string): string {
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\") && !hasControlCharacters(value) ? value : fallback;
}
