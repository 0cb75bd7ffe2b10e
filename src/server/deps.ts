import type { Db } from "~/lib/db";
import type { Logger } from "~/lib/logger";
import { createAccessTokenVerifier, createAuthClient } from "../core/integrations/auth";
import { createInventoryClient } from "../core/integrations/inventory";
import { createSessionGuard } from "../core/domain/auth/sessions";
import { createAvailabilityReader } from "../core/domain/catalog/availability";
import type { ObjectStorage } from "../core/storage";
import type { PhotoLimits } from "../core/domain/photos/images";
import type { ApiDeps } from "./trpc/context";

export interface ApiDepsOptions {
  db: Db;
  /** A streaming replica for the read paths that may lag; the primary when absent. */
  readDb?: Db;
  logger: Logger;
  auth: { url: string; serviceToken: string; issuer: string; audience: string; timeoutMs?: number; revocationRefreshMs: number };
  inventory: { url: string; serviceToken: string; timeoutMs?: number };
  availabilityCacheMs: number;
  storage: ObjectStorage;
  photoLimits: PhotoLimits;
  now?: () => Date;
}

/** Builds the API's dependencies: main.ts from its config, tests from the reference services they start. */
export function createApiDeps(options: ApiDepsOptions): ApiDeps {
  const { db, logger } = options;
  const auth = createAuthClient({
    baseUrl: options.auth.url,
    serviceToken: options.auth.serviceToken,
    logger: logger.child({ client: "auth" }),
    ...(options.auth.timeoutMs !== undefined ? { timeoutMs: options.auth.timeoutMs } : {}),
  });
  const inventory = createInventoryClient({
    baseUrl: options.inventory.url,
    serviceToken: options.inventory.serviceToken,
    logger: logger.child({ client: "inventory" }),
    ...(options.inventory.timeoutMs !== undefined ? { timeoutMs: options.inventory.timeoutMs } : {}),
  });
  const verify = createAccessTokenVerifier({
    jwksUrl: auth.jwksUrl,
    issuer: options.auth.issuer,
    audience: options.auth.audience,
    ...(options.auth.timeoutMs !== undefined ? { timeoutMs: options.auth.timeoutMs } : {}),
    now: options.now,
  });
  return {
    db,
    ...(options.readDb ? { readDb: options.readDb } : {}),
    logger,
    now: options.now ?? (() => new Date()),
    auth,
    inventory,
    sessions: createSessionGuard({ db, logger, auth, verify, revocationRefreshMs: options.auth.revocationRefreshMs }),
    availability: createAvailabilityReader({ inventory, logger, ttlMs: options.availabilityCacheMs }),
    storage: options.storage,
    photoLimits: options.photoLimits,
  };
}
