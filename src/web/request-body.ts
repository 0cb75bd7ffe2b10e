/** How much of a refused body is still read, and dropped, before giving up on it. */
export const DISCARD_MAX_BYTES = 64 * 1024 * 1024;

/**
 * The body's bytes when it is at most `limit` bytes, else null. An oversized body is still read
 * to its end and dropped (up to DISCARD_MAX_BYTES more) before the caller answers 413: answering
 * while the client is still sending lets the connection be reset, and the reset can destroy the
 * answer before the client reads it.
 */
export async function readBytesWithin(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Buffer<ArrayBuffer> | null> {
  if (!body) return Buffer.alloc(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size <= limit) chunks.push(value);
    else if (size > limit + DISCARD_MAX_BYTES) {
      await reader.cancel();
      break;
    }
  }
  return size > limit ? null : Buffer.concat(chunks);
}

/** readBytesWithin's body as UTF-8 text. */
export async function readBodyWithin(body: ReadableStream<Uint8Array> | null, limit: number): Promise<string | null> {
  const bytes = await readBytesWithin(body, limit);
  return bytes === null ? null : new TextDecoder().decode(bytes);
}
