// A complete API for integration tests: a fresh database, the reference auth and inventory
// services on port 0 (each in its own schema of that database), and ApiDeps wired to them.
import { startAuthService, type RunningAuthService } from "../../reference/auth/server.ts";
import { startInventoryService, type RunningInventoryService } from "../../reference/inventory/server.ts";
import { createDb } from "~/lib/db";
import { createLogger } from "~/lib/logger";
import { createApiDeps } from "~/server/deps";
import { createApiServer, type ApiServer } from "~/server/http/server";
import { createContextInner, type ApiDeps, type AuthUser } from "~/server/trpc/context";
import { createCaller } from "~/server/trpc/root";
import { createMetricsRegistry } from "~/lib/metrics";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { ObjectStorage } from "~/core/storage";
import { createFsStorage } from "~/core/storage/fs-storage";
import type { PhotoLimits } from "~/core/domain/photos/images";
import { createTestDatabase, type TestDatabase } from "./db.ts";
import { CALL_TIMEOUT_MS } from "./wait.ts";

export const TEST_SERVICE_TOKEN = "test-service-token-0123456789";

export type Caller = ReturnType<typeof createCaller>;

export interface TestApi {
  database: TestDatabase;
  deps: ApiDeps;
  authService: RunningAuthService;
  inventoryService: RunningInventoryService;
  /** A tRPC caller acting as `user` (anonymous when null). */
  caller(user: AuthUser | null): Caller;
  /** Starts the real HTTP server on port 0; returns its base URL. Closed by close(). */
  listen(): Promise<string>;
  /** Stops the HTTP server (requests in flight get `graceMs`, default 1 s), the services, the database. */
  close(graceMs?: number): Promise<void>;
}

export interface TestApiOptions {
  /** Revocation list refresh; 0 (default) makes a sign-out visible to the very next request. */
  revocationRefreshMs?: number;
  /** Availability cache; 0 (default) so tests see stock changes at once. */
  availabilityCacheMs?: number;
  /** Database pool of the API; raise it for concurrency tests. */
  maxConnections?: number;
  /**
   * Per-call timeout of the auth and inventory clients. By default the test's budget: test
   * machines are shared and argon2 or a burst of reservations can be slow; a timeout here would
   * open the circuit breaker and fail unrelated tests.
   */
  serviceTimeoutMs?: number;
  /** Connection pool of the reference inventory service. */
  inventoryPoolSize?: number;
  /** Where the API's pool connects, given the database's direct URL (the reference services stay direct). */
  clientUrl?: (directUrl: string) => string;
  /** The clock the reference inventory's reservations are made and expire by. */
  inventoryNow?: () => Date;
  /** Photo storage; default a filesystem one in a temporary directory removed by close(). */
  storage?: ObjectStorage;
  photoLimits?: Partial<PhotoLimits>;
  /** Where the API's read paths connect (deps.readDb; a replica), given the database's direct URL; the primary when absent. */
  readUrl?: (directUrl: string) => string;
}

/** The API's defaults (src/server/config.ts). */
export const TEST_PHOTO_LIMITS: PhotoLimits = { maxBytes: 20_000_000, maxPixels: 50_000_000 };

export async function startTestApi(options: TestApiOptions = {}): Promise<TestApi> {
  const database = await createTestDatabase({
    maxConnections: options.maxConnections ?? 5,
    ...(options.clientUrl ? { clientUrl: options.clientUrl } : {}),
  });
  const quiet = createLogger("test", process.env.LOG_LEVEL ?? "silent");
  const [authService, inventoryService] = await Promise.all([
    startAuthService({ databaseUrl: database.url, port: 0, serviceToken: TEST_SERVICE_TOKEN, logger: quiet }),
    startInventoryService({ databaseUrl: database.url, port: 0, serviceToken: TEST_SERVICE_TOKEN, logger: quiet, poolSize: options.inventoryPoolSize ?? 4, now: options.inventoryNow }),
  ]);
  const storageDir = options.storage ? null : await mkdtemp(path.join(os.tmpdir(), "lavka-test-storage-"));
  const readDb = options.readUrl ? createDb(options.readUrl(database.url), { maxConnections: options.maxConnections ?? 5, busyTimeoutMs: CALL_TIMEOUT_MS }) : undefined;
  const deps = createApiDeps({
    db: database.db,
    ...(readDb ? { readDb } : {}),
    logger: quiet,
    auth: {
      url: authService.url,
      serviceToken: TEST_SERVICE_TOKEN,
      issuer: authService.issuer,
      audience: authService.audience,
      revocationRefreshMs: options.revocationRefreshMs ?? 0,
      timeoutMs: options.serviceTimeoutMs ?? CALL_TIMEOUT_MS,
    },
    inventory: { url: inventoryService.url, serviceToken: TEST_SERVICE_TOKEN, timeoutMs: options.serviceTimeoutMs ?? CALL_TIMEOUT_MS },
    availabilityCacheMs: options.availabilityCacheMs ?? 0,
    storage: options.storage ?? createFsStorage(storageDir!),
    photoLimits: { ...TEST_PHOTO_LIMITS, ...options.photoLimits },
  });
  let server: ApiServer | null = null;
  return {
    database,
    deps,
    authService,
    inventoryService,
    caller: (user) => createCaller(createContextInner(deps, user)),
    async listen() {
      server = createApiServer({ deps, registry: createMetricsRegistry("api-test"), maxBodyBytes: 100_000 });
      const s = server.server;
      await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
      const address = s.address();
      if (address === null || typeof address === "string") throw new Error("server has no port");
      return `http://127.0.0.1:${address.port}`;
    },
    async close(graceMs = 1_000) {
      if (server) await server.shutdown(graceMs);
      await Promise.allSettled([authService.close(), inventoryService.close(), readDb?.$disconnect()]);
      await database.drop();
      if (storageDir) await rm(storageDir, { recursive: true, force: true });
    },
  };
}
