// Request bodies: read within a limit, and refuse an oversized one so that the client can read why.
import type http from "node:http";

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body too large: at most ${limit} bytes`);
  }
}

/** The client went away (or the connection failed) before the whole body arrived: nobody to answer. */
export class BodyIncompleteError extends Error {}

/**
 * The exact bytes of the body, up to `limit`. A larger body (declared or counted) rejects with
 * BodyTooLargeError and leaves the rest unread for refuseTooLarge.
 */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers["content-length"]) > limit) return reject(new BodyTooLargeError(limit));
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      done();
      req.pause();
      reject(new BodyTooLargeError(limit));
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks));
    };
    const onClose = () => {
      done();
      reject(new BodyIncompleteError("request closed before its body was complete"));
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("close", onClose);
  });
}

/** How much of a refused body is read and dropped, and for how long, before the connection is cut. */
export const DISCARD_MAX_BYTES = 64 * 1024 * 1024;
export const DISCARD_MAX_MS = 30_000;

/**
 * Answers 413 to a request whose body is still arriving. Closing at once would make the kernel
 * reset the connection while the client is still sending, and the reset can destroy the answer
 * before the client reads it (EPIPE / ECONNRESET, no response; RFC 9112 section 9.6). So the answer
 * goes out at once, with Connection: close, and the connection is closed only when the rest of the
 * body has been read and dropped, or after DISCARD_MAX_BYTES / DISCARD_MAX_MS of it.
 */
export function refuseTooLarge(req: http.IncomingMessage, res: http.ServerResponse, error: BodyTooLargeError, body: object = { error: error.message }): void {
  const text = JSON.stringify(body);
  res.writeHead(413, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), connection: "close" });
  res.write(text);
  if (req.complete) return void res.end();
  let discarded = 0;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    req.off("data", onData);
    res.end();
  };
  const onData = (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARD_MAX_BYTES) close();
  };
  const timer = setTimeout(close, DISCARD_MAX_MS);
  req.on("data", onData);
  req.once("end", close);
  req.once("close", close);
  req.resume();
}
