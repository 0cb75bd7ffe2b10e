// The one test suite every ObjectStorage backend passes (fs-storage.test.ts, s3-storage.test.ts).
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { ObjectStorage } from "./object-storage";

async function keysUnder(storage: ObjectStorage, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const item of storage.list(prefix)) keys.push(item.key);
  return keys.sort();
}

export function describeObjectStorage(name: string, storage: () => ObjectStorage): void {
  describe(`object storage: ${name}`, () => {
    // Each test works under its own prefix, so the tests share one bucket or directory.
    const prefix = () => `t/${randomBytes(6).toString("hex")}`;

    it("gives back exactly what was put, with its content type", async () => {
      const s = storage();
      const key = `${prefix()}/a/640.webp`;
      const body = randomBytes(200_000);
      await s.put(key, body, "image/webp");
      const got = await s.get(key);
      expect(got?.contentType).toBe("image/webp");
      expect(got?.body.equals(body)).toBe(true);
    });

    it("answers null for a key that was never put", async () => {
      expect(await storage().get(`${prefix()}/missing.avif`)).toBeNull();
    });

    it("a second put of a key replaces the object", async () => {
      const s = storage();
      const key = `${prefix()}/same.avif`;
      await s.put(key, Buffer.from("first"), "image/avif");
      await s.put(key, Buffer.from("second"), "image/avif");
      expect((await s.get(key))?.body.toString()).toBe("second");
    });

    it("lists the keys under a prefix, and only those", async () => {
      const s = storage();
      const p = prefix();
      await Promise.all([`${p}/x/160.webp`, `${p}/x/320.webp`, `${p}/y/160.avif`, `${p}-other/z.webp`].map((k) => s.put(k, Buffer.from(k), "image/webp")));
      expect(await keysUnder(s, `${p}/`)).toEqual([`${p}/x/160.webp`, `${p}/x/320.webp`, `${p}/y/160.avif`]);
      expect(await keysUnder(s, `${p}/x/`)).toEqual([`${p}/x/160.webp`, `${p}/x/320.webp`]);
      for await (const item of s.list(`${p}/y/`)) expect(Math.abs(item.modifiedAt.getTime() - Date.now())).toBeLessThan(24 * 3_600_000);
    });

    it("lists nothing under a prefix that holds nothing", async () => {
      expect(await keysUnder(storage(), `${prefix()}/`)).toEqual([]);
    });

    it("deletes the objects named, leaves the others, and does not mind missing keys", async () => {
      const s = storage();
      const p = prefix();
      await Promise.all(["a.webp", "b.webp", "c.webp"].map((k) => s.put(`${p}/${k}`, Buffer.from(k), "image/webp")));
      await s.delete([`${p}/a.webp`, `${p}/b.webp`, `${p}/never-there.webp`]);
      expect(await s.get(`${p}/a.webp`)).toBeNull();
      expect(await keysUnder(s, `${p}/`)).toEqual([`${p}/c.webp`]);
      await s.delete([]);
    });

    it("refuses keys that could escape their place or are not plain names", async () => {
      const s = storage();
      for (const key of ["../etc/passwd", "a/../../b", "/absolute", "UPPER.webp", "a//b", "a/b/", "sp ace", "a\\b"]) {
        await expect(s.put(key, Buffer.from("x"), "text/plain"), key).rejects.toThrow(/not a valid object key/);
        await expect(s.get(key), key).rejects.toThrow(/not a valid object key/);
      }
    });
  });
}
