import { z } from "zod";
import { storageFromConfig, type ObjectStorage } from "~/core/storage";
import { sweepPhotos } from "~/core/domain/photos/photos";
import { loadProcessorConfig } from "../config";
import { defineJob } from "./types";

const HOUR_MS = 3_600_000;

/**
 * What photo uploads leave behind (src/core/domain/photos/photos.ts): photos uploaded from a
 * product form that was never saved, and files no photo points at. `deps.storage` replaces the
 * configured storage (STORAGE_BACKEND ...) in tests.
 */
export function createSweepPhotosJob(deps: { storage?: ObjectStorage } = {}) {
  return defineJob({
    name: "sweep-photos",
    description: "Delete photos uploaded but never saved with a product (older than --staged-older-than-hours, default 24) and stored files no photo uses",
    params: z.object({ "staged-older-than-hours": z.coerce.number().int().min(1).max(24 * 365).default(24) }).strict(),
    schedule: "20 4 * * *",
    run: async (ctx, params) => {
      const storage = deps.storage ?? storageFromConfig(loadProcessorConfig());
      const stagedBefore = new Date(ctx.now().getTime() - params["staged-older-than-hours"] * HOUR_MS);
      const result = await sweepPhotos({ db: ctx.db, logger: ctx.logger, storage }, stagedBefore, ctx.signal);
      ctx.logger.info({ ...result, stagedBefore, storage: storage.kind }, "photos swept");
      return { rows: result.stagedDeleted, summary: { ...result, stagedBefore: stagedBefore.toISOString() } };
    },
  });
}

export const sweepPhotosJob = createSweepPhotosJob();
