/**
 * Where uploaded files live: a flat key space of immutable objects. Two backends pass the same
 * test suite (object-storage.suite.ts): a directory on the local disk (the embedded default; one
 * node only) and any S3-compatible service through the AWS SDK (every replica sees the same files).
 *
 * Keys are the caller's content addresses (photos: "photos/<digest>/<width>.<ext>"): an object is
 * written once and never changed, so a key may be cached forever and a repeated put is harmless.
 */
export interface StoredObject {
  body: Buffer;
  contentType: string;
}

export interface ObjectStorage {
  /** Which backend, for logs and the operations page ("filesystem", "s3"). */
  readonly kind: string;
  /** Stores `body` under `key`; a reader sees the whole object or none of it. */
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** The object, or null when there is none. */
  get(key: string): Promise<StoredObject | null>;
  /** Removes the objects; keys that do not exist are not an error. */
  delete(keys: readonly string[]): Promise<void>;
  /** Every key under `prefix` with when it was written, in no particular order. */
  list(prefix: string): AsyncIterable<{ key: string; modifiedAt: Date }>;
}

/** Lowercase segments of letters, digits, ".", "_" and "-" separated by "/": nothing a path could escape with. */
const KEY = /^[a-z0-9_-][a-z0-9._-]*(\/[a-z0-9_-][a-z0-9._-]*)*$/;

export function isValidKey(key: string): boolean {
  return key.length <= 512 && KEY.test(key) && !key.split("/").includes("..");
}

/** Backends call this first: a bad key is a bug in the caller, never something to store. */
export function checkKey(key: string): string {
  if (!isValidKey(key)) throw new Error(`not a valid object key: ${JSON.stringify(key.slice(0, 100))}`);
  return key;
}
