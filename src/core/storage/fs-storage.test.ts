import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createFsStorage } from "./fs-storage";
import { describeObjectStorage } from "./object-storage.suite";
import type { ObjectStorage } from "./object-storage";

let dir: string;
let storage: ObjectStorage;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "lavka-fs-storage-"));
  storage = createFsStorage(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describeObjectStorage("filesystem", () => storage);

it("keeps objects as plain files under its directory, with no temporary files left", async () => {
  await storage.put("fs-only/p/160.webp", Buffer.from("webp"), "image/webp");
  expect(await readdir(path.join(dir, "fs-only", "p"))).toEqual(["160.webp"]);
});
