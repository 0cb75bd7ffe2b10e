import { type NextRequest } from "next/server";
import { webConfig } from "~/web/config";
import { PHOTO_PATH } from "~/core/domain/photos/urls";

/**
 * Photos as pages reference them (/photos/<digest>/<width>.<avif|webp>), fetched from the API,
 * which reads them from the shared storage. In Kubernetes the Ingress sends /photos/ to the API
 * directly; this route serves them wherever the web is the only door (npm start, next dev).
 * The API's headers come along: the type, and a year's immutable caching.
 */
async function serve(req: NextRequest): Promise<Response> {
  const path = req.nextUrl.pathname;
  if (!PHOTO_PATH.test(path)) return new Response("Not found", { status: 404, headers: { "cache-control": "no-store" } });
  let upstream: Response;
  try {
    upstream = await fetch(`${webConfig().API_URL.replace(/\/+$/, "")}${path}`, { method: req.method, signal: AbortSignal.timeout(15_000), cache: "no-store" });
  } catch {
    return new Response("The shop is unreachable right now.", { status: 502, headers: { "cache-control": "no-store" } });
  }
  const headers = new Headers();
  for (const name of ["content-type", "content-length", "cache-control", "etag"]) {
    const value = upstream.headers.get(name);
    if (value) headers.set(name, value);
  }
  return new Response(req.method === "HEAD" ? null : upstream.body, { status: upstream.status, headers });
}

export const GET = serve;
export const HEAD = serve;
