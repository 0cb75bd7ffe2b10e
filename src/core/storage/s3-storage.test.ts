import { afterAll, beforeAll, expect, it } from "vitest";
import { startS3rver, type RunningS3 } from "../../../tests/helpers/s3rver.ts";
import { describeObjectStorage } from "./object-storage.suite";
import type { ObjectStorage } from "./object-storage";
import { createS3Storage } from "./s3-storage";

let s3: RunningS3;
let storage: ObjectStorage;
beforeAll(async () => {
  s3 = await startS3rver();
  storage = createS3Storage(s3.options);
});
afterAll(() => s3?.close());

describeObjectStorage("S3 (s3rver)", () => storage);

it("lists past one page of results (ListObjects markers)", async () => {
  const keys = Array.from({ length: 1_005 }, (_, i) => `paged/${String(i).padStart(4, "0")}.webp`);
  for (let i = 0; i < keys.length; i += 100) await Promise.all(keys.slice(i, i + 100).map((k) => storage.put(k, Buffer.from("x"), "image/webp")));
  let count = 0;
  for await (const item of storage.list("paged/")) if (item.key.startsWith("paged/")) count += 1;
  expect(count).toBe(keys.length);
  await storage.delete(keys);
  for await (const item of storage.list("paged/")) throw new Error(`left behind: ${item.key}`);
});

it("fails loudly when the bucket does not exist", async () => {
  const missing = createS3Storage({ ...s3.options, bucket: "no-such-bucket" });
  await expect(missing.put("a.webp", Buffer.from("x"), "image/webp")).rejects.toThrow();
});
