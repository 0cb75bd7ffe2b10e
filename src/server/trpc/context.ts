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
  /** The primary: every write, and every read that must see what the caller just wrote (cart, orders, a seller's own products). */
  db: Db;
  /**
   * A streaming replica (DATABASE_READ_URL), absent when there is none: only for the named read
   * paths that may lag a moment behind the primary (the public catalog, seller stats and
   * reports), through replicaOrPrimary(). A seller who just edited a product sees it fresh in the
   * seller workspace (db).
   */
  readDb?: Db;
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

/** The database of the read paths that may lag: the replica, or the primary when there is none. */
export function replicaOrPrimary(deps: Pick<ApiDeps, "db" | "readDb">): Db {
  return deps.readDb ?? deps.db;
}

export interface Context extends ApiDeps {
  user: AuthUser | null;
  /**
   * Awaited when a procedure failed, before its answer is sent (the HTTP layer counts failed
   * sign-ins here, so the next attempt already sees the count).
   */
  afterFailure?: (path: string, rawInput: unknown, code: string) => Promise<void>;
}

/** Context without a request: tests and background code call procedures through this. */
export function createContextInner(deps: ApiDeps, user: AuthUser | null = null): Context {
  return { ...deps, user };
}
