import { randomBytes } from "node:crypto";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { isDomainError } from "~/core/errors";
import { bombPng, testImage } from "../../../../tests/helpers/images.ts";
import { checkImage, derivePhoto, sniffFormat, widthsFor, type PhotoLimits } from "./images";

const LIMITS: PhotoLimits = { maxBytes: 20_000_000, maxPixels: 50_000_000 };

/** The DomainError a check throws, as the client would see it. */
async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (isDomainError(error)) return { kind: error.kind, field: error.field, reason: error.reason, message: error.message };
    throw error;
  }
  throw new Error("expected the image to be refused");
}

describe("sniffing the type from the bytes", () => {
  it("knows JPEG, PNG, WebP and AVIF by their signatures", async () => {
    for (const format of ["jpeg", "png", "webp", "avif"] as const) expect(sniffFormat(await testImage({ format }))).toBe(format);
  });

  it("knows nothing else: HEIC, GIF, SVG, PDF, text", async () => {
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from("ftypheic\0\0\0\0mif1heic")]);
    const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: "#000" } }).gif().toBuffer();
    for (const bytes of [heic, gif, Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>"), Buffer.from("%PDF-1.7\n"), Buffer.from("hello")]) {
      expect(sniffFormat(bytes)).toBeNull();
    }
  });
});

describe("checking an upload", () => {
  it("takes a PNG named .jpg as the PNG it is: names and declared types are never looked at", async () => {
    // Only the bytes reach checkImage; the upload endpoint ignores file names and Content-Type.
    const png = await testImage({ format: "png", width: 300, height: 200 });
    expect(await checkImage(png, LIMITS)).toEqual({ format: "png", width: 300, height: 200 });
  });

  it("refuses a file that is not an image, saying so", async () => {
    expect(await refusal(checkImage(Buffer.from("name,price\nmug,12\n"), LIMITS))).toEqual({
      kind: "invalid",
      field: "photo",
      reason: "not_an_image",
      message: "photo: the file is not a JPEG, PNG, WebP or AVIF image.",
    });
  });

  it("refuses an empty file", async () => {
    expect(await refusal(checkImage(Buffer.alloc(0), LIMITS))).toMatchObject({ reason: "empty", message: "photo: the file is empty." });
  });

  it("refuses a file with an image's signature and garbage after it", async () => {
    const fake = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(5_000)]);
    expect(await refusal(checkImage(fake, LIMITS))).toMatchObject({ reason: "unreadable", field: "photo" });
    expect((await refusal(checkImage(fake, LIMITS))).message).toMatch(/JPEG image but cannot be read/);
  });

  it("refuses a decompression bomb from its header alone: a 300-byte PNG declaring 50,000 x 50,000 pixels", async () => {
    const bomb = bombPng(50_000, 50_000);
    expect(bomb.length).toBeLessThan(1_000);
    const started = process.memoryUsage().rss;
    expect(await refusal(checkImage(bomb, LIMITS))).toEqual({
      kind: "invalid",
      field: "photo",
      reason: "too_many_pixels",
      message: "photo: the image is 50,000 × 50,000 pixels; at most 50 megapixels are accepted.",
    });
    // 2.5 gigapixels decoded would be 7.5 GB; nothing of the kind was allocated.
    expect(process.memoryUsage().rss - started).toBeLessThan(500_000_000);
  });

  it("refuses a 30 MB file before looking inside it", async () => {
    const big = Buffer.concat([await testImage({ format: "png" }), Buffer.alloc(30_000_000)]);
    expect(await refusal(checkImage(big, LIMITS))).toMatchObject({ reason: "too_large", message: "photo: the file is 30 MB; photos may be at most 20 MB." });
  });

  it("reports the upright size of a photo whose EXIF says it was taken sideways", async () => {
    const sideways = await sharp(await testImage({ format: "jpeg", width: 400, height: 300 })).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    expect(await checkImage(sideways, LIMITS)).toEqual({ format: "jpeg", width: 300, height: 400 });
  });
});

describe("deriving the stored copies", () => {
  it("makes AVIF and WebP copies at each width up to the image's own, content-addressed", async () => {
    const bytes = await testImage({ format: "jpeg", width: 900, height: 600 });
    const derived = await derivePhoto(bytes, await checkImage(bytes, LIMITS), LIMITS);
    expect(derived.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(derived.widths).toEqual([160, 320, 640, 900]);
    expect(derived.files.map((f) => f.key).sort()).toEqual(
      ["160", "320", "640", "900"].flatMap((w) => [`photos/${derived.digest}/${w}.avif`, `photos/${derived.digest}/${w}.webp`]).sort(),
    );
    for (const file of derived.files) {
      const meta = await sharp(file.body).metadata();
      const [, width, ext] = /\/(\d+)\.(\w+)$/.exec(file.key)!;
      expect(meta.width, file.key).toBe(Number(width));
      expect(meta.height, file.key).toBe(Math.round((Number(width) * 600) / 900));
      expect(file.contentType).toBe(ext === "avif" ? "image/avif" : "image/webp");
      expect(ext === "avif" ? meta.compression : meta.format, file.key).toBe(ext === "avif" ? "av1" : "webp");
    }
    // The same bytes give the same keys (so repeated uploads share files); other bytes other keys.
    expect((await derivePhoto(bytes, await checkImage(bytes, LIMITS), LIMITS)).digest).toBe(derived.digest);
    const other = await testImage({ format: "jpeg", width: 900, height: 600, colour: "#123456" });
    expect((await derivePhoto(other, await checkImage(other, LIMITS), LIMITS)).digest).not.toBe(derived.digest);
  });

  it("strips EXIF (camera, GPS position) and turns the pixels upright", async () => {
    const withExif = await sharp(await testImage({ format: "jpeg", width: 400, height: 300 }))
      .withExif({ IFD0: { Make: "PhoneMaker", Model: "Secret Phone" }, IFD3: { GPSLatitudeRef: "N", GPSLatitude: "59/1 20/1 0/1" } })
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    const original = await sharp(withExif).metadata();
    expect(original.exif?.includes(Buffer.from("Secret Phone"))).toBe(true);
    expect(original.orientation).toBe(6);
    const derived = await derivePhoto(withExif, await checkImage(withExif, LIMITS), LIMITS);
    for (const file of derived.files) {
      const meta = await sharp(file.body).metadata();
      expect(meta.exif, file.key).toBeUndefined();
      expect(meta.xmp, file.key).toBeUndefined();
      expect(meta.orientation ?? 1, file.key).toBe(1);
      expect(meta.height! > meta.width!, `${file.key} is upright (portrait)`).toBe(true);
      expect(file.body.includes(Buffer.from("Secret Phone"))).toBe(false);
    }
  });

  it("never enlarges: a small image is stored at its own width only", () => {
    expect(widthsFor(100)).toEqual([100]);
    expect(widthsFor(160)).toEqual([160]);
    expect(widthsFor(500)).toEqual([160, 320, 500]);
    expect(widthsFor(1000)).toEqual([160, 320, 640, 960, 1000]);
    expect(widthsFor(4000)).toEqual([160, 320, 640, 960, 1280]);
  });
});
