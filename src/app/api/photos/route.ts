import { type NextRequest } from "next/server";
import { webConfig } from "~/web/config";
import { isSameOriginRequest } from "~/web/origin";
import { SESSION_COOKIE } from "~/web/session";
import { readBytesWithin } from "~/web/request-body";

/**
 * The browser's photo upload: one image file as the raw body, forwarded to the API's POST /photos
 * with the session cookie's token as a bearer header (as /api/trpc does). The answer is the
 * API's: 201 with the staged photo, or an error whose `problem` the form shows.
 */
export async function POST(req: NextRequest) {
  if (!isSameOriginRequest(req.headers)) {
    return Response.json({ error: "Cross-origin request refused.", problem: "This request did not come from a Lavka page.", field: null, reason: null }, { status: 403 });
  }
  const limit = webConfig().PHOTO_MAX_BYTES;
  const body = await readBytesWithin(req.body, limit);
  if (body === null) {
    const mb = `${Math.floor(limit / 1_000_000)} MB`;
    const problem = `the file is larger than ${mb}; photos may be at most ${mb}.`;
    return Response.json({ error: `photo: ${problem}`, problem, field: "photo", reason: "too_large" }, { status: 413 });
  }
  const outgoing = new Headers({ accept: "application/json", "content-type": "application/octet-stream" });
  const token = req.cookies.get(SESSION_COOKIE)?.value;
  if (token) outgoing.set("authorization", `Bearer ${token}`);
  const requestId = req.headers.get("x-request-id");
  if (requestId) outgoing.set("x-request-id", requestId);
  let upstream: Response;
  try {
    upstream = await fetch(`${webConfig().API_URL.replace(/\/+$/, "")}/photos`, {
      method: "POST",
      headers: outgoing,
      body: new Blob([body]),
      // Deriving a large photo's copies takes a few seconds; more on a busy machine.
      signal: AbortSignal.timeout(120_000),
      cache: "no-store",
    });
  } catch {
    return Response.json({ error: "The shop is unreachable right now. Please try again.", problem: "the shop is unreachable right now; please try again.", field: null, reason: null }, { status: 502 });
  }
  return new Response(upstream.body, {
    status: upstream.status,
    headers: { "content-type": upstream.headers.get("content-type") ?? "application/json", "cache-control": "no-store" },
  });
}
