import { type NextRequest } from "next/server";
import { webConfig } from "~/web/config";
import { isSameOriginRequest } from "~/web/origin";
import { SESSION_COOKIE } from "~/web/session";
import { isProxyablePath } from "~/web/proxy-paths";
import { readBodyWithin } from "~/web/request-body";
import { forwardedRequestHeaders } from "~/web/request-headers";

/**
 * The browser's tRPC endpoint. It forwards to the API with the session cookie's token as a
 * bearer header, so the token never reaches page scripts. Calls that issue or revoke tokens
 * (sign in, register, password change, sign out) go through server actions instead.
 */
const MAX_BODY_BYTES = 1_000_000;

async function forward(req: NextRequest, { params }: { params: Promise<{ trpc: string }> }) {
  const { trpc: path } = await params;
  if (!isProxyablePath(path)) {
    return Response.json({ error: { message: "This call is not available from the browser." } }, { status: 404 });
  }
  if (req.method !== "GET" && !isSameOriginRequest(req.headers)) {
    return Response.json({ error: { message: "Cross-origin request refused." } }, { status: 403 });
  }
  // The API enforces its own body limit too; this one keeps a large upload out of this process's memory.
  const body = req.method === "GET" ? undefined : await readBodyWithin(req.body, MAX_BODY_BYTES);
  if (body === null) {
    return Response.json({ error: { message: `Request too large: at most ${MAX_BODY_BYTES} bytes.` } }, { status: 413 });
  }
  const target = `${webConfig().API_URL.replace(/\/+$/, "")}/trpc/${path}${req.nextUrl.search}`;
  const outgoing = new Headers({ accept: "application/json", ...forwardedRequestHeaders(req.headers) });
  const contentType = req.headers.get("content-type");
  if (contentType) outgoing.set("content-type", contentType);
  const token = req.cookies.get(SESSION_COOKIE)?.value;
  if (token) outgoing.set("authorization", `Bearer ${token}`);

  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: req.method,
      headers: outgoing,
      body,
      signal: AbortSignal.timeout(15_000),
      cache: "no-store",
    });
  } catch {
    return Response.json({ error: { message: "The shop is unreachable right now. Please try again." } }, { status: 502 });
  }
  return new Response(upstream.body, {
    status: upstream.status,
    headers: { "content-type": upstream.headers.get("content-type") ?? "application/json", "cache-control": "no-store" },
  });
}

export const GET = forward;
export const POST = forward;
