/**
 * The one place tRPC is set up.
 * 1. initTRPC with superjson and an error shape that names each invalid field.
 * 2. The building blocks routers use: router, publicProcedure, authedProcedure, sellerProcedure, adminProcedure.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import type { Context } from "./context";

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

// Database connectivity failures (driver and Prisma wording, Prisma connection error codes).
const DATABASE_DOWN = /Server has closed the connection|Can't reach database|Connection terminated|ECONNREFUSED|ECONNRESET|timeout exceeded when trying to connect|\bP10(01|02|17)\b|\bP2024\b/;

/**
 * What a client reads for an unexpected error. tRPC turns anything thrown into an
 * INTERNAL_SERVER_ERROR carrying the thrown error's own message, and Prisma's messages quote our
 * source (file paths, code excerpts): those stay in the logs. Deliberate TRPCErrors keep theirs.
 */
function publicMessage(error: TRPCError): string {
  if (error.code !== "INTERNAL_SERVER_ERROR" || !(error.cause instanceof Error) || error.cause instanceof TRPCError) return error.message;
  if (error.message !== error.cause.message) return error.message;
  const code = (error.cause as { code?: unknown }).code;
  if (DATABASE_DOWN.test(error.cause.message) || (typeof code === "string" && DATABASE_DOWN.test(code))) {
    return "The database is unavailable right now; please try again in a moment.";
  }
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

export const publicProcedure = t.procedure;

export const authedProcedure = t.procedure.use(({ ctx, next }) => {
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
