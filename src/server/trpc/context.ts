import type { Db } from "~/lib/db";
import type { Logger } from "~/lib/logger";
import type { AuthClient } from "~/core/integrations/auth";
import type { InventoryClient } from "~/core/integrations/inventory";
import type { SessionGuard } from "~/core/domain/auth/sessions";
import type { AvailabilityReader } from "~/core/domain/catalog/availability";
import type { OperationsInfo } from "~/core/domain/admin/operations";
import type { AuthUser } from "~/core/domain/actor";
import type { ObjectStorage } from "~/core/storage";
import type { PhotoLimits } from "~/core/domain/photos/images";

export type { AuthUser, Role } from "~/core/domain/actor";

/** Long-lived dependencies, built once per process and shared by every request. */
export interface ApiDeps {
  db: Db;
  logger: Logger;
  now: () => Date;
  /** Service 1: accounts and sessions. */
  auth: AuthClient;
  /** Verifies bearer tokens and keeps local users in step with the auth service. */
  sessions: SessionGuard;
  /** Service 2: stock and reservations. */
  inventory: InventoryClient;
  /** Briefly cached reads of availability from the inventory service. */
  availability: AvailabilityReader;
  /** Photos' files (filesystem or S3): written on upload, served on GET /photos/..., deleted with their photos. */
  storage: ObjectStorage;
  /** Largest upload and largest pixel count a photo may have. */
  photoLimits: PhotoLimits;
  /** Effective config and extra health-probe targets for admin.health / admin.config (main.ts sets it). */
  operations?: OperationsInfo;
}

export interface Context extends ApiDeps {
  user: AuthUser | null;
}

/** Context without a request: tests and background code call procedures through this. */
export function createContextInner(deps: ApiDeps, user: AuthUser | null = null): Context {
  return { ...deps, user };
}
