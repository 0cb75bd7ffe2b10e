// Images for tests, made with sharp at run time (no files checked in).
import { deflateSync, crc32 } from "node:zlib";
import sharp from "sharp";

export interface TestImageOptions {
  format: "jpeg" | "png" | "webp" | "avif";
  width?: number;
  height?: number;
  /** Background colour; a circle in the middle makes the picture asymmetric enough to compress like one. */
  colour?: string;
}

export async function testImage({ format, width = 200, height = 150, colour = "#2a7f62" }: TestImageOptions): Promise<Buffer> {
  const circle = Buffer.from(`<svg width="${width}" height="${height}"><circle cx="${width / 3}" cy="${height / 2}" r="${Math.min(width, height) / 3}" fill="#e0a030"/></svg>`);
  return sharp({ create: { width, height, channels: 3, background: colour } })
    .composite([{ input: circle }])
    .toFormat(format)
    .toBuffer();
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid PNG header declaring width x height RGB pixels, with a few compressed rows of zeros: tiny on disk, gigabytes decoded. */
export function bombPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const rows = deflateSync(Buffer.alloc(3 * width + 1), { level: 9 });
  return Buffer.concat([Buffer.from("\x89PNG\r\n\x1a\n", "latin1"), chunk("IHDR", ihdr), chunk("IDAT", rows), chunk("IEND", Buffer.alloc(0))]);
}

export interface UploadAnswer {
  status: number;
  body: { id?: string; digest?: string; widths?: number[]; width?: number; height?: number; error?: string; problem?: string; field?: string | null; reason?: string | null };
}

/** POST /photos on a running API (TestApi.listen()) with a bearer token; the answer as status and JSON. */
export async function postPhoto(base: string, token: string | undefined, body: Uint8Array, headers: Record<string, string> = {}): Promise<UploadAnswer> {
  const res = await fetch(`${base}/photos`, {
    method: "POST",
    headers: { "content-type": "application/octet-stream", ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: new Blob([new Uint8Array(body)]),
  });
  return { status: res.status, body: (await res.json()) as UploadAnswer["body"] };
}
