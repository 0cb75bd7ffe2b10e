// Photos over the API's HTTP: upload checks and answers, serving with cache headers, attaching to
// products through seller.products.create/update, deletion of files, and the no-dangling-row rule.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../../../tests/helpers/api.ts";
import { registerAccount } from "../../../tests/helpers/fixtures.ts";
import { bombPng, postPhoto, testImage } from "../../../tests/helpers/images.ts";
import { startS3rver, type RunningS3 } from "../../../tests/helpers/s3rver.ts";
import { createS3Storage } from "~/core/storage/s3-storage";
import { createFsStorage } from "~/core/storage/fs-storage";
import type { ObjectStorage } from "~/core/storage";
import { photoPath, PHOTO_FORMATS } from "~/core/domain/photos/urls";
import { sweepPhotos } from "~/core/domain/photos/photos";
import type { AuthUser } from "~/core/domain/actor";

/** A signed-in seller with a shop, and a token for HTTP. */
async function signedInSeller(api: TestApi) {
  const { session, user } = await registerAccount(api.deps, "seller");
  const seller = await api.deps.db.seller.create({ data: { userId: user.id, shopName: `Photo shop ${user.id.slice(0, 8)}` }, select: { id: true } });
  return { user, token: session.accessToken, sellerId: seller.id };
}

async function fetchPath(base: string, path: string, method = "GET") {
  const res = await fetch(`${base}${path}`, { method });
  return { status: res.status, type: res.headers.get("content-type"), cache: res.headers.get("cache-control"), bytes: Buffer.from(await res.arrayBuffer()) };
}

async function keysIn(storage: ObjectStorage): Promise<string[]> {
  const keys: string[] = [];
  for await (const item of storage.list("photos/")) keys.push(item.key);
  return keys;
}

/** Every served path of a photo. */
const pathsOf = (photo: { digest?: string; widths?: number[] }) => photo.widths!.flatMap((w) => PHOTO_FORMATS.map((f) => photoPath(photo.digest!, w, f)));

function photoSuite(name: string, makeStorage: () => Promise<{ storage?: ObjectStorage; close?: () => Promise<void> }>) {
  describe(`photos on ${name}`, () => {
    let api: TestApi;
    let base: string;
    let seller: Awaited<ReturnType<typeof signedInSeller>>;
    let closeStorage: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      const made = await makeStorage();
      closeStorage = made.close;
      api = await startTestApi(made.storage ? { storage: made.storage } : {});
      base = await api.listen();
      seller = await signedInSeller(api);
    });
    afterAll(async () => {
      await api?.close();
      await closeStorage?.();
    });

    it("stores an upload and serves every copy with its type and a long immutable cache lifetime", async () => {
      const upload = await postPhoto(base, seller.token, await testImage({ format: "jpeg", width: 800, height: 600 }));
      expect(upload.status).toBe(201);
      expect(upload.body).toMatchObject({ width: 800, height: 600, widths: [160, 320, 640, 800], alt: "" });
      for (const path of pathsOf(upload.body)) {
        const got = await fetchPath(base, path);
        expect(got.status, path).toBe(200);
        expect(got.type, path).toBe(path.endsWith(".avif") ? "image/avif" : "image/webp");
        expect(got.cache, path).toBe("public, max-age=31536000, immutable");
        expect(got.bytes.length, path).toBeGreaterThan(100);
      }
      const head = await fetchPath(base, pathsOf(upload.body)[0]!, "HEAD");
      expect([head.status, head.type, head.bytes.length]).toEqual([200, "image/avif", 0]);
    });

    it("answers 404, not cached, for a photo that is not there, and for paths that are no photo", async () => {
      const missing = await fetchPath(base, photoPath("a".repeat(64), 320, "webp"));
      expect([missing.status, missing.cache]).toEqual([404, "no-store"]);
      for (const path of ["/photos/../../etc/passwd", `/photos/${"a".repeat(64)}/320.png`, `/photos/${"A".repeat(64)}/320.webp`, "/photos/x/1.webp"]) {
        expect((await fetchPath(base, path)).status, path).toBe(404);
      }
    });

    it("attaches uploads to a product in the chosen order with alt text, reorders, and deletes the files of a removed photo", async () => {
      const [a, b] = await Promise.all([
        postPhoto(base, seller.token, await testImage({ format: "png", colour: "#aa0000" })),
        postPhoto(base, seller.token, await testImage({ format: "webp", colour: "#00aa00" })),
      ]);
      const me = api.caller(seller.user as AuthUser);
      const product = await me.seller.products.create({ title: "Lamp with photos", priceMinor: 1_000, photos: [{ id: a.body.id!, alt: "Red lamp" }, { id: b.body.id!, alt: "Green lamp" }] });
      expect(product.photos.map((p) => [p.id, p.alt])).toEqual([[a.body.id, "Red lamp"], [b.body.id, "Green lamp"]]);

      const reordered = await me.seller.products.update({ id: product.id, photos: [{ id: b.body.id!, alt: "Green lamp, lit" }, { id: a.body.id!, alt: "Red lamp" }] });
      expect(reordered.photos.map((p) => [p.id, p.alt])).toEqual([[b.body.id, "Green lamp, lit"], [a.body.id, "Red lamp"]]);
      await me.seller.products.publish({ id: product.id });
      const shown = await api.caller(null).catalog.get({ id: product.id });
      expect(shown.photos.map((p) => p.id)).toEqual([b.body.id, a.body.id]);
      const listed = await api.caller(null).catalog.list({ q: "Lamp with photos" });
      expect(listed.items.find((i) => i.id === product.id)?.photos.map((p) => p.id)).toEqual([b.body.id]);

      const removed = await me.seller.products.update({ id: product.id, photos: [{ id: b.body.id!, alt: "Green lamp, lit" }] });
      expect(removed.photos.map((p) => p.id)).toEqual([b.body.id]);
      for (const path of pathsOf(a.body)) expect((await fetchPath(base, path)).status, path).toBe(404);
      for (const path of pathsOf(b.body)) expect((await fetchPath(base, path)).status, path).toBe(200);
      expect(await api.deps.db.productPhoto.count({ where: { id: a.body.id! } })).toBe(0);
    });

    it("keeps the files a second photo of the same bytes still uses when the first is removed", async () => {
      const bytes = await testImage({ format: "jpeg", colour: "#334455" });
      const [first, second] = [await postPhoto(base, seller.token, bytes), await postPhoto(base, seller.token, bytes)];
      expect(first.body.digest).toBe(second.body.digest);
      const me = api.caller(seller.user as AuthUser);
      const one = await me.seller.products.create({ title: "Twin one", priceMinor: 500, photos: [{ id: first.body.id!, alt: "" }] });
      await me.seller.products.create({ title: "Twin two", priceMinor: 500, photos: [{ id: second.body.id!, alt: "" }] });
      await me.seller.products.update({ id: one.id, photos: [] });
      for (const path of pathsOf(second.body)) expect((await fetchPath(base, path)).status, path).toBe(200);
    });
  });
}

photoSuite("the filesystem", async () => ({}));

let s3: RunningS3 | undefined;
photoSuite("S3 (s3rver)", async () => {
  s3 = await startS3rver("lavka-photos");
  return { storage: createS3Storage(s3.options), close: () => s3!.close() };
});

describe("upload checks and who may upload", () => {
  let api: TestApi;
  let base: string;
  let seller: Awaited<ReturnType<typeof signedInSeller>>;
  beforeAll(async () => {
    api = await startTestApi({ photoLimits: { maxBytes: 20_000_000 } });
    base = await api.listen();
    seller = await signedInSeller(api);
  });
  afterAll(() => api?.close());

  it("takes a PNG named .jpg and sent as image/jpeg for the PNG it is", async () => {
    const upload = await postPhoto(base, seller.token, await testImage({ format: "png", width: 300, height: 200 }), {
      "content-type": "image/jpeg",
      "content-disposition": 'attachment; filename="holiday.jpg"',
    });
    expect(upload.status).toBe(201);
    const row = await api.deps.db.productPhoto.findUniqueOrThrow({ where: { id: upload.body.id! } });
    expect(row.sourceFormat).toBe("png");
  });

  it("refuses a file that is not an image with a 400 naming the problem and the field", async () => {
    const upload = await postPhoto(base, seller.token, Buffer.from("%PDF-1.7\n1 0 obj\n"), { "content-type": "image/png" });
    expect(upload).toEqual({ status: 400, body: { error: "photo: the file is not a JPEG, PNG, WebP or AVIF image.", problem: "the file is not a JPEG, PNG, WebP or AVIF image.", field: "photo", reason: "not_an_image" } });
  });

  it("refuses a decompression bomb with a 400 before decoding it", async () => {
    const upload = await postPhoto(base, seller.token, bombPng(50_000, 50_000));
    expect(upload.status).toBe(400);
    expect(upload.body).toMatchObject({ field: "photo", reason: "too_many_pixels", problem: "the image is 50,000 × 50,000 pixels; at most 50 megapixels are accepted." });
  });

  it("refuses a 30 MB file with a readable 413", async () => {
    const upload = await postPhoto(base, seller.token, Buffer.concat([await testImage({ format: "jpeg" }), Buffer.alloc(30_000_000)]));
    expect(upload).toEqual({ status: 413, body: { error: "photo: the file is larger than 20 MB; photos may be at most 20 MB.", problem: "the file is larger than 20 MB; photos may be at most 20 MB.", field: "photo", reason: "too_large" } });
  });

  it("leaves nothing referenced when storing fails half-way, and the sweep removes the files written", async () => {
    // A storage that fails on the third write: the upload's first files are stored, its row never written.
    const dir = await mkdtemp(path.join(os.tmpdir(), "lavka-flaky-storage-"));
    const storage = createFsStorage(dir);
    let writes = 0;
    const flaky: ObjectStorage = { ...storage, put: async (...args) => (++writes === 3 ? Promise.reject(new Error("disk full")) : storage.put(...args)) };
    const failing = await startTestApi({ storage: flaky });
    try {
      const failingBase = await failing.listen();
      const flakySeller = await signedInSeller(failing);
      const upload = await postPhoto(failingBase, flakySeller.token, await testImage({ format: "jpeg", colour: "#777700" }));
      expect(upload.status).toBe(500);
      expect(await failing.deps.db.productPhoto.count()).toBe(0);
      expect((await keysIn(storage)).length).toBeGreaterThan(0);
      const swept = await sweepPhotos(failing.deps, new Date());
      expect(swept).toEqual({ stagedDeleted: 0, filesReleased: 1 });
      expect(await keysIn(storage)).toEqual([]);
    } finally {
      await failing.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("an upload racing the removal of a photo with the same bytes always ends with its files in place", async () => {
    const me = api.caller(seller.user as AuthUser);
    const bytes = await testImage({ format: "png", colour: "#405060" });
    for (let round = 0; round < 5; round++) {
      const old = await postPhoto(base, seller.token, bytes);
      const product = await me.seller.products.create({ title: `Race ${round}`, priceMinor: 300, photos: [{ id: old.body.id!, alt: "" }] });
      const [, fresh] = await Promise.all([me.seller.products.update({ id: product.id, photos: [] }), postPhoto(base, seller.token, bytes)]);
      expect(fresh.status).toBe(201);
      for (const path of pathsOf(fresh.body)) expect((await fetchPath(base, path)).status, `round ${round}: ${path}`).toBe(200);
      await me.seller.products.create({ title: `Race keeper ${round}`, priceMinor: 300, photos: [{ id: fresh.body.id!, alt: "" }] });
      await me.seller.products.update({ id: (await api.deps.db.productPhoto.findUniqueOrThrow({ where: { id: fresh.body.id! } })).productId!, photos: [] });
    }
  });

  it("the sweep deletes staged photos never saved with a product, and keeps the rest", async () => {
    const me = api.caller(seller.user as AuthUser);
    const [kept, abandoned] = await Promise.all([
      postPhoto(base, seller.token, await testImage({ format: "jpeg", colour: "#101010" })),
      postPhoto(base, seller.token, await testImage({ format: "jpeg", colour: "#202020" })),
    ]);
    await me.seller.products.create({ title: "Kept photo", priceMinor: 700, photos: [{ id: kept.body.id!, alt: "" }] });
    const dayLater = new Date(Date.now() + 25 * 3_600_000);
    const result = await sweepPhotos(api.deps, new Date(dayLater.getTime() - 24 * 3_600_000));
    expect(result.stagedDeleted).toBeGreaterThanOrEqual(1);
    expect(await api.deps.db.productPhoto.count({ where: { id: abandoned.body.id! } })).toBe(0);
    expect(await api.deps.db.productPhoto.count({ where: { id: kept.body.id! } })).toBe(1);
    for (const path of pathsOf(abandoned.body)) expect((await fetchPath(base, path)).status, path).toBe(404);
    for (const path of pathsOf(kept.body)) expect((await fetchPath(base, path)).status, path).toBe(200);
  });
});
