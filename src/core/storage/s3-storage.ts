import { DeleteObjectsCommand, GetObjectCommand, ListObjectsCommand, NoSuchKey, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { checkKey, type ObjectStorage } from "./object-storage";

export interface S3StorageOptions {
  bucket: string;
  /** Unset for AWS itself; the service's URL for others (MinIO, R2, Ceph, s3rver ...). */
  endpoint?: string;
  region: string;
  /** bucket in the path (https://host/bucket/key) instead of the host name: most non-AWS services want this. */
  forcePathStyle: boolean;
  /** Unset: the SDK's default chain (environment, web identity / IRSA, instance profile). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Per-request timeout in milliseconds. */
  timeoutMs?: number;
}

/** DeleteObjects takes at most this many keys per request. */
const DELETE_BATCH = 1_000;

/**
 * Objects in an S3 bucket through the official AWS SDK (v3). Checksums are sent and checked only
 * where S3 requires them: the SDK's newer default (a CRC on every request) is not understood by
 * every S3-compatible service.
 */
export function createS3Storage(options: S3StorageOptions): ObjectStorage {
  const client = new S3Client({
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 3,
  });
  const Bucket = options.bucket;
  const signal = () => (options.timeoutMs ? { abortSignal: AbortSignal.timeout(options.timeoutMs) } : undefined);
  return {
    kind: "s3",
    async put(key, body, contentType) {
      await client.send(new PutObjectCommand({ Bucket, Key: checkKey(key), Body: body, ContentType: contentType, ContentLength: body.length }), signal());
    },
    async get(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket, Key: checkKey(key) }), signal());
        if (!out.Body) return null;
        return { body: Buffer.from(await out.Body.transformToByteArray()), contentType: out.ContentType ?? "application/octet-stream" };
      } catch (error) {
        if (error instanceof NoSuchKey || (error as { name?: string }).name === "NoSuchKey") return null;
        throw error;
      }
    },
    async delete(keys) {
      for (let i = 0; i < keys.length; i += DELETE_BATCH) {
        const batch = keys.slice(i, i + DELETE_BATCH).map((key) => ({ Key: checkKey(key) }));
        const out = await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: batch, Quiet: true } }), signal());
        const failed = (out.Errors ?? []).filter((e) => e.Code !== "NoSuchKey");
        if (failed.length > 0) throw new Error(`S3 could not delete ${failed.length} object(s): ${failed[0]?.Code ?? "unknown"} ${failed[0]?.Key ?? ""}`);
      }
    },
    // ListObjects (v1) pages by the last key seen (Marker), which every S3-compatible service
    // implements alike; v2's opaque continuation tokens are where they differ (s3rver's cannot be
    // made on current Node: it ciphers them with DES, which OpenSSL 3 no longer offers).
    async *list(prefix) {
      let Marker: string | undefined;
      for (;;) {
        const out = await client.send(new ListObjectsCommand({ Bucket, Prefix: prefix, Marker }), signal());
        const contents = out.Contents ?? [];
        for (const item of contents) {
          if (item.Key) yield { key: item.Key, modifiedAt: item.LastModified ?? new Date(0) };
        }
        Marker = out.NextMarker ?? contents.at(-1)?.Key;
        if (!out.IsTruncated || !Marker) return;
      }
    },
  };
}
