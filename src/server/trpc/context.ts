import type { Db } from "~/lib/db";
import type { Logger } from "~/lib/logger";

export type Role = "buyer" | "seller" | "admin";

/** The caller, as established from a verified access token. */
export interface AuthUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  sessionId: string;
}

/** Long-lived dependencies, built once per process and shared by every request. */
export interface ApiDeps {
  db: Db;
  logger: Logger;
  now: () => Date;
}

export interface Context extends ApiDeps {
  user: AuthUser | null;
}

/** Context without a request: tests and background code call procedures through this. */
export function createContextInner(deps: ApiDeps, user: AuthUser | null = null): Context {
  return { ...deps, user };
}
