// An S3-compatible server on this machine for tests: s3rver (npm), on port 0, with its files in
// a temporary directory and one bucket. The S3 backend's tests and the photo tests run against it.
import { mkdtemp, rm } from "node:fs/promises";
import type http from "node:http";
import os from "node:os";
import path from "node:path";
// @ts-expect-error s3rver ships no type declarations
import S3rver from "s3rver";
import type { S3StorageOptions } from "~/core/storage/s3-storage";

export interface RunningS3 {
  /** Options for createS3Storage: endpoint, bucket, path-style, s3rver's fixed credentials. */
  options: S3StorageOptions;
  close(): Promise<void>;
}

export async function startS3rver(bucket = "lavka-test"): Promise<RunningS3> {
  const directory = await mkdtemp(path.join(os.tmpdir(), "lavka-s3rver-"));
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const address = (await server.run()) as ReturnType<http.Server["address"]>;
  if (address === null || typeof address === "string") throw new Error("s3rver has no port");
  return {
    options: {
      bucket,
      endpoint: `http://127.0.0.1:${address.port}`,
      region: "us-east-1",
      forcePathStyle: true,
      // s3rver's built-in account.
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    },
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
