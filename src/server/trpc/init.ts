/**
 * The one place tRPC is set up.
 * 1. initTRPC with superjson and an error shape that names each invalid field.
 * 2. The building blocks routers use: router, publicProcedure (with the database-outage
 *    conversion of middleware/errors.ts), authedProcedure, sellerProcedure, adminProcedure.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import type { Context } from "./context";
import { convertDatabaseErrors, DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from "./middleware/errors";

// 1. Setup -------------------------------------------------------------------------------

/** Field-level problems, for forms: { "lines.0.quantity": ["Too small: expected number to be >0"] }. */
export type FieldErrors = Record<string, string[]>;

const UNSAFE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

function fieldErrors(error: ZodError): FieldErrors {
  // No prototype: an unknown field named "__proto__" or "constructor" must be a key like any other
  // (on a plain object `out["__proto__"] ??= []` finds Object.prototype and the formatter threw: a 500).
  const out = Object.create(null) as FieldErrors;
  for (const issue of error.issues) {
    const base = issue.path.map(String);
    // An unknown field is the field's own problem: name it, not its parent object.
    const entries: Array<[string[], string]> =
      issue.code === "unrecognized_keys" ? issue.keys.map((k) => [[...base, k], "unknown field"]) : [[base, issue.message]];
    for (const [path, message] of entries) {
      const key = path.length > 0 ? path.join(".") : "input";
      // superjson refuses to serialise these three as keys (prototype pollution guard): qualify them.
      (out[UNSAFE_KEYS.has(key) ? `input.${key}` : key] ??= []).push(message);
    }
  }
  return out;
}

/**
 * What a client reads for an unexpected error. tRPC turns anything thrown into an
 * INTERNAL_SERVER_ERROR carrying the thrown error's own message, and Prisma's messages quote our
 * source (file paths, code excerpts): those stay in the logs. Deliberate TRPCErrors keep theirs.
 */
function publicMessage(error: TRPCError): string {
  if (error.code !== "INTERNAL_SERVER_ERROR" || !(error.cause instanceof Error) || error.cause instanceof TRPCError) return error.message;
  if (error.message !== error.cause.message) return error.message;
  // Procedures' outages are 503s already (convertDatabaseErrors); this covers failures outside them.
  if (isDatabaseUnavailable(error.cause)) return DATABASE_UNAVAILABLE_MESSAGE;
  return "Internal error; it has been logged and the team will look at it.";
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    // Stack traces describe our code to whoever asks: they stay in the server's logs.
    const { stack: _stack, ...data } = shape.data;
    const zodError = error.cause instanceof ZodError ? error.cause : null;
    if (!zodError) return { ...shape, message: publicMessage(error), data: { ...data, fieldErrors: null } };
    const fields = fieldErrors(zodError);
    // The message a person reads: every field and its problem, not a JSON dump.
    const message = Object.entries(fields)
      .map(([field, problems]) => `${field}: ${problems.join(", ")}`)
      .join("; ");
    return { ...shape, message: `Invalid input: ${message}`, data: { ...data, fieldErrors: fields } };
  },
});

// 2. Building blocks ---------------------------------------------------------------------

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/** Every procedure builds on this one: a database outage answers 503 "try again", not 500. */
export const publicProcedure = t.procedure.use(({ next }) => convertDatabaseErrors(next()));

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to do this." });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

export const sellerProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "seller" && ctx.user.role !== "admin") {
    throw new TRPCError({ code: "FORBIDDEN", message: "Only sellers can do this." });
  }
  return next();
});

export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "admin") throw new TRPCError({ code: "FORBIDDEN", message: "Only administrators can do this." });
  return next();
});
