// Raw HTTP for the fuzz and security tests: exact bytes in (invalid UTF-8, wrong content types,
// oversized bodies), status, headers and text out. A server that answers early (413) and
// closes may reset the upload: the answer is still read when it came.
import http from "node:http";

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export function send(baseUrl: string, request: RawRequest): Promise<RawResponse> {
  // Not new URL(path, base): a path like "//x" would be read as another host.
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: request.path,
        method: request.method,
        // Framed explicitly: Node's client sends a DELETE body unframed, which the server reads as a broken request.
        headers: { connection: "close", ...(request.body === undefined ? {} : { "content-length": String(Buffer.byteLength(request.body)) }), ...request.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    // The server may stop reading an oversized upload and answer: keep waiting for that answer.
    req.on("error", (error) => setTimeout(() => reject(error), 500));
    if (request.body !== undefined) req.end(request.body);
    else req.end();
  });
}

/** The human-readable message of an error answer: tRPC's error.json.message or a plain { error }. */
export function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as unknown;
    const one = Array.isArray(body) ? body[0] : body;
    const err = (one as { error?: unknown })?.error;
    if (typeof err === "string") return err;
    const json = (err as { json?: { message?: unknown } })?.json ?? (err as { message?: unknown });
    return typeof json?.message === "string" ? json.message : "";
  } catch {
    return "";
  }
}

/** The per-field problems of a tRPC error answer (data.fieldErrors), {} when there are none. */
export function fieldErrorsOf(text: string): Record<string, string[]> {
  try {
    const body = JSON.parse(text) as { error?: { json?: { data?: { fieldErrors?: Record<string, string[]> | null } } } };
    return body.error?.json?.data?.fieldErrors ?? {};
  } catch {
    return {};
  }
}
