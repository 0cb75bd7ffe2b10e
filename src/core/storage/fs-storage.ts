import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { checkKey, type ObjectStorage } from "./object-storage";

/** Content types by the extension the key ends in: the filesystem keeps no metadata. */
const CONTENT_TYPES: Record<string, string> = {
  ".avif": "image/avif",
  ".webp": "image/webp",
  ".jpg": "image/jpeg",
  ".png": "image/png",
  ".json": "application/json",
};

/**
 * Objects as files under `root` (the embedded default: `npm start` puts it in the data directory).
 * Writes go to a temporary file that is renamed into place, so a reader never sees half an object.
 * Only processes on this machine see the files: one node, not for several API replicas.
 */
export function createFsStorage(root: string): ObjectStorage {
  const fileOf = (key: string) => path.join(root, ...checkKey(key).split("/"));
  return {
    kind: "filesystem",
    async put(key, body) {
      const file = fileOf(key);
      await mkdir(path.dirname(file), { recursive: true });
      const temporary = path.join(path.dirname(file), `.tmp-${randomUUID()}`);
      try {
        await writeFile(temporary, body);
        await rename(temporary, file);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    },
    async get(key) {
      const file = fileOf(key);
      try {
        const body = await readFile(file);
        return { body, contentType: CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream" };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw error;
      }
    },
    async delete(keys) {
      await Promise.all(keys.map((key) => rm(fileOf(key), { force: true })));
    },
    async *list(prefix) {
      // Read the folder the prefix names (up to its last "/") and keep the keys that start with it.
      const base = path.join(root, ...prefix.slice(0, prefix.lastIndexOf("/") + 1).split("/").filter(Boolean));
      let entries;
      try {
        entries = await readdir(base, { recursive: true, withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
        throw error;
      }
      for (const entry of entries) {
        if (!entry.isFile() || entry.name.startsWith(".tmp-")) continue;
        const file = path.join(entry.parentPath, entry.name);
        const key = path.relative(root, file).split(path.sep).join("/");
        if (!key.startsWith(prefix)) continue;
        const info = await stat(file).catch(() => null);
        if (info) yield { key, modifiedAt: info.mtime };
      }
    },
  };
}
