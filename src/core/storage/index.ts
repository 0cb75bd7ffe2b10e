import { createFsStorage } from "./fs-storage";
import type { ObjectStorage } from "./object-storage";
import { createS3Storage } from "./s3-storage";

export type { ObjectStorage, StoredObject } from "./object-storage";

/** The storage variables (storageEnv in src/lib/env.ts) as the API's and the processor's config modules parse them. */
export interface StorageConfig {
  STORAGE_BACKEND: "filesystem" | "s3";
  STORAGE_DIR: string;
  S3_BUCKET?: string;
  S3_ENDPOINT?: string;
  S3_REGION: string;
  S3_FORCE_PATH_STYLE: boolean;
  S3_ACCESS_KEY_ID?: string;
  S3_SECRET_ACCESS_KEY?: string;
}

/** The backend the configuration names. */
export function storageFromConfig(config: StorageConfig): ObjectStorage {
  if (config.STORAGE_BACKEND === "filesystem") return createFsStorage(config.STORAGE_DIR);
  return createS3Storage({
    // checkStorageEnv (src/lib/env.ts) made sure a bucket is named.
    bucket: config.S3_BUCKET!,
    endpoint: config.S3_ENDPOINT,
    region: config.S3_REGION,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    credentials: config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY ? { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY } : undefined,
    timeoutMs: 10_000,
  });
}
