import { describe, expect, it } from "vitest";
import { readBodyWithin, readBytesWithin } from "./request-body";

/** A body arriving in `count` chunks of `size` bytes, recording how many were read. */
function chunkedBody(count: number, size: number) {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled === count) return controller.close();
      pulled++;
      controller.enqueue(new Uint8Array(size).fill(0x78));
    },
  });
  return { stream, pulled: () => pulled };
}

describe("readBodyWithin", () => {
  it("returns the text of a body within the limit", async () => {
    expect(await readBodyWithin(new Response('{"json":1}').body, 100)).toBe('{"json":1}');
    expect(await readBodyWithin(null, 100)).toBe("");
  });

  it("refuses a larger body only after reading it to the end", async () => {
    const body = chunkedBody(50, 1000);
    expect(await readBodyWithin(body.stream, 10_000)).toBeNull();
    expect(body.pulled()).toBe(50);
  });
});

describe("readBytesWithin", () => {
  it("returns the exact bytes of a binary body within the limit", async () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe]);
    expect(Buffer.from((await readBytesWithin(new Response(bytes).body, 100))!).equals(Buffer.from(bytes))).toBe(true);
  });

  it("refuses a larger body only after reading it to the end", async () => {
    const body = chunkedBody(30, 1000);
    expect(await readBytesWithin(body.stream, 10_000)).toBeNull();
    expect(body.pulled()).toBe(30);
  });
});
