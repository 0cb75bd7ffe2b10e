// The authorization matrix: every procedure x every kind of caller => the outcome it must get.
//
//   const world = await createAuthzWorld(api);
//   describeAuthzMatrix("cart", () => world, [
//     row("cart.view", AUTHED, (api) => api.cart.view()),
//     row("seller.products.archive", OWNER_SELLER, async (api, w) => {
//       const p = await createProduct(w.db, w.users.seller.sellerId);   // fresh target per cell
//       return api.seller.products.archive({ id: p.id });
//     }),
//   ]);
//
// Each cell runs `call` with a caller for that actor and compares the outcome: "allowed" means
// the call resolved; otherwise the TRPCError code it must fail with. `call` creates whatever it
// needs through fixtures (db writes, no authorization involved), so cells are independent.
// The actors are real accounts in the reference auth service; a cell that would change an actor
// for good (logout, changePassword, becomeSeller) uses world.signIn(actor) or createAccount().
import { TRPCError } from "@trpc/server";
import { describe, expect, test } from "vitest";
import type { Db } from "~/lib/db";
import type { AuthUser } from "~/server/trpc/context";
import type { Caller, TestApi } from "./api.ts";
import { unique, type TestSeller } from "./fixtures.ts";

export const ACTORS = ["anonymous", "buyer", "otherBuyer", "seller", "otherSeller", "admin"] as const;
export type Actor = (typeof ACTORS)[number];

/** "allowed" or the TRPCError code the call must be refused with. */
export type Outcome = "allowed" | TRPCError["code"];
export type Expectation = Record<Actor, Outcome>;

export type SignedInActor = Exclude<Actor, "anonymous">;

export interface AuthzWorld {
  api: TestApi;
  db: Db;
  /**
   * Real accounts in the (reference) auth service, signed in, with local User rows:
   * buyer/otherBuyer: role buyer; seller/otherSeller: role seller with a shop; admin: role admin, no shop.
   */
  users: {
    buyer: AuthUser;
    otherBuyer: AuthUser;
    seller: TestSeller;
    otherSeller: TestSeller;
    admin: AuthUser;
  };
  caller(actor: Actor): Caller;
  /** A new session for the actor (for cells that end or alter their session: logout, changePassword). */
  signIn(actor: SignedInActor): Promise<AuthUser>;
  /** The actor's current password; update it when a cell changes it. */
  passwords: Record<SignedInActor, string>;
}

/** A fresh, signed-in account of a role (sellers get a shop): for cells that change who the actor is. */
export async function createAccount(api: TestApi, role: "buyer" | "seller" | "admin", password: string): Promise<AuthUser> {
  const { auth, sessions, db } = api.deps;
  const email = `${unique(role)}@example.test`;
  let session = await auth.register({ email, password, displayName: `Matrix ${role}`, role: role === "admin" ? "buyer" : role });
  if (role === "admin") {
    // Only an operator makes admins; the role change ends the session, so sign in again.
    await auth.setRole(session.user.id, "admin");
    session = await auth.login({ email, password });
  }
  const user = await sessions.authenticate(session.accessToken);
  if (role === "seller") {
    const shopName = unique("Matrix shop ");
    const seller = await db.seller.create({ data: { userId: user.id, shopName }, select: { id: true } });
    return { ...user, sellerId: seller.id, shopName } as TestSeller;
  }
  return user;
}

export async function createAuthzWorld(api: TestApi): Promise<AuthzWorld> {
  const db = api.deps.db;
  const password = "matrix password 1";
  const [buyer, otherBuyer, seller, otherSeller, admin] = await Promise.all([
    createAccount(api, "buyer", password),
    createAccount(api, "buyer", password),
    createAccount(api, "seller", password),
    createAccount(api, "seller", password),
    createAccount(api, "admin", password),
  ]);
  const users = { buyer: buyer!, otherBuyer: otherBuyer!, seller: seller as TestSeller, otherSeller: otherSeller as TestSeller, admin: admin! };
  const passwords: Record<SignedInActor, string> = { buyer: password, otherBuyer: password, seller: password, otherSeller: password, admin: password };
  return {
    api,
    db,
    users,
    passwords,
    caller: (actor) => api.caller(actor === "anonymous" ? null : users[actor]),
    async signIn(actor) {
      const session = await api.deps.auth.login({ email: users[actor].email, password: passwords[actor] });
      const fresh = await api.deps.sessions.authenticate(session.accessToken);
      return { ...users[actor], ...fresh };
    },
  };
}

export interface AuthzRow {
  procedure: string;
  expect: Expectation;
  call: (api: Caller, world: AuthzWorld, actor: Actor) => Promise<unknown>;
}

export function row(procedure: string, expect: Expectation, call: AuthzRow["call"]): AuthzRow {
  return { procedure, expect, call };
}

/** Builds an expectation from a default and per-actor exceptions. */
export function expectAll(outcome: Outcome, except: Partial<Expectation> = {}): Expectation {
  return { ...Object.fromEntries(ACTORS.map((a) => [a, outcome])), ...except } as Expectation;
}

// Common shapes. Spread and override when a procedure differs: { ...AUTHED, admin: "FORBIDDEN" }.
/** Anyone, signed in or not. */
export const PUBLIC: Expectation = expectAll("allowed");
/** Any signed-in user. */
export const AUTHED: Expectation = expectAll("allowed", { anonymous: "UNAUTHORIZED" });
/** Admins only. */
export const ADMIN_ONLY: Expectation = expectAll("FORBIDDEN", { anonymous: "UNAUTHORIZED", admin: "allowed" });
/** Sellers (and admins pass the role check but have no shop, so they are refused FORBIDDEN). */
export const SELLER_ONLY: Expectation = expectAll("allowed", { anonymous: "UNAUTHORIZED", buyer: "FORBIDDEN", otherBuyer: "FORBIDDEN", admin: "FORBIDDEN" });
/** A resource of `seller`: other sellers get NOT_FOUND (its existence is not revealed). */
export const OWNER_SELLER: Expectation = { ...SELLER_ONLY, otherSeller: "NOT_FOUND" };
/** A resource of `buyer`: other signed-in users get NOT_FOUND. */
export const OWNER_BUYER: Expectation = expectAll("NOT_FOUND", { anonymous: "UNAUTHORIZED", buyer: "allowed" });

const HTTP_CODES: Record<number, TRPCError["code"]> = { 400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 409: "CONFLICT", 413: "PAYLOAD_TOO_LARGE" };

/**
 * For a row that calls a plain HTTP endpoint (POST /photos): a 2xx is "allowed", any other status
 * fails the cell with the tRPC code of the same meaning, so HTTP rows read like the others.
 */
export function httpOutcome(answer: { status: number }): void {
  if (answer.status >= 200 && answer.status < 300) return;
  const code = HTTP_CODES[answer.status];
  if (!code) throw new Error(`HTTP ${answer.status}`);
  throw new TRPCError({ code, message: `HTTP ${answer.status}` });
}

/** The bearer token an actor sends over HTTP (none for anonymous). */
export function tokenOf(world: AuthzWorld, actor: Actor): string | undefined {
  return actor === "anonymous" ? undefined : world.users[actor].accessToken;
}

/** Runs one cell and names its outcome. Errors other than TRPCError are rethrown (they are bugs). */
export async function outcomeOf(promise: Promise<unknown>): Promise<Outcome> {
  try {
    await promise;
    return "allowed";
  } catch (err) {
    if (err instanceof TRPCError) return err.code;
    throw err;
  }
}

/** One vitest test per row; a failing row reports every wrong cell at once. */
export function describeAuthzMatrix(area: string, getWorld: () => AuthzWorld, rows: AuthzRow[]): void {
  describe(`authorization matrix: ${area}`, () => {
    for (const r of rows) {
      test(r.procedure, async () => {
        const world = getWorld();
        const actual = {} as Record<Actor, Outcome>;
        for (const actor of ACTORS) {
          try {
            actual[actor] = await outcomeOf(r.call(world.caller(actor), world, actor));
          } catch (err) {
            actual[actor] = `threw ${err instanceof Error ? err.message : String(err)}` as Outcome;
          }
        }
        expect(actual).toEqual(r.expect);
      });
    }
  });
}
