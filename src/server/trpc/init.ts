/**
 * The one place tRPC is set up.
 * 1. initTRPC with superjson and an error shape that names each invalid field.
 * 2. The building blocks routers use: router, publicProcedure (with the database-outage
 *    conversion of middleware/errors.ts), authedProcedure, sellerProcedure, adminProcedure.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError, ZodRealError, z } from "zod";
import type { Context } from "./context";
import { DomainError } from "~/core/errors";
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from "~/lib/db-errors";
import { plainValidationMessage } from "~/core/validation-messages";
import { observeProcedure } from "./middleware/observe";

// 1. Setup -------------------------------------------------------------------------------

// Every input problem in words a person reads ("must be at least 0"), in this process's schemas.
z.config({ customError: plainValidationMessage });

/** Field-level problems, for forms: { "lines.0.quantity": ["must be more than 0"] }. */
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
      issue.code === "unrecognized_keys"
        ? issue.keys.map((k) => [[...base, k], "unknown field"])
        : // A record's key that fails its schema: say why (zod's own text is only "Invalid key in record").
          issue.code === "invalid_key"
          ? [[base, `key ${issue.issues.map((i) => i.message).join(", ")}`]]
          : [[base, issue.message]];
    for (const [path, message] of entries) {
      const key = path.length > 0 ? path.join(".") : "input";
      // superjson refuses to serialise these three as keys (prototype pollution guard): qualify them.
      (out[UNSAFE_KEYS.has(key) ? `input.${key}` : key] ??= []).push(message);
    }
  }
  return out;
}

/**
 * Refuses input holding a key named "__proto__", anywhere. JSON.parse keeps such a key as an
 * ordinary property, but superjson's deserialize drops it without a word, so the request ran as
 * if the key were absent; refusing says so (400 naming the key) before any procedure runs.
 * Iterative, because tRPC hands over JSON nested as deep as the body allows.
 */
const FORBIDDEN_KEY = "__proto__";

interface Visit {
  value: unknown;
  key: PropertyKey | null;
  parent: Visit | null;
}

function pathOf(visit: Visit): PropertyKey[] {
  const path: PropertyKey[] = [];
  for (let v: Visit | null = visit; v?.key != null; v = v.parent) path.unshift(v.key);
  return path;
}

function refuseForbiddenKeys(raw: unknown): void {
  // A superjson envelope { json, meta }: paths are named from `json`, as the procedure sees them.
  const envelope = typeof raw === "object" && raw !== null && !Array.isArray(raw) && Object.hasOwn(raw, "json");
  // Parent links, not path copies: a path per node would cost depth squared on deep input.
  const stack: Visit[] = [{ value: envelope ? (raw as { json: unknown }).json : raw, key: null, parent: null }];
  const issues: z.core.$ZodIssue[] = [];
  while (stack.length > 0 && issues.length < 10) {
    const visit = stack.pop()!;
    const { value } = visit;
    if (typeof value !== "object" || value === null) continue;
    for (const key of Object.keys(value)) {
      const child: Visit = { value: (value as Record<string, unknown>)[key], key: Array.isArray(value) ? Number(key) : key, parent: visit };
      if (key === FORBIDDEN_KEY) issues.push({ code: "custom", path: pathOf(child), message: `keys named ${FORBIDDEN_KEY} are not accepted`, input: child.value });
      else stack.push(child);
    }
  }
  // ZodRealError is the Error subclass parse() throws; a plain ZodError is not an Error, and tRPC
  // would hide it from the formatter behind an "unknown cause".
  if (issues.length > 0) throw new ZodRealError(issues);
}

/** superjson, with the __proto__ check in front of reading a request's input. */
const transformer = {
  input: {
    serialize: (value: unknown) => superjson.serialize(value),
    deserialize: (raw: unknown) => {
      refuseForbiddenKeys(raw);
      return superjson.deserialize(raw as Parameters<typeof superjson.deserialize>[0]);
    },
  },
  output: superjson,
};

/**
 * What a client reads for an unexpected error. tRPC turns anything thrown into an
 * INTERNAL_SERVER_ERROR carrying the thrown error's own message, and Prisma's messages quote our
 * source (file paths, code excerpts): those stay in the logs. Deliberate errors (TRPCErrors and
 * the core's DomainErrors) keep theirs.
 */
function publicMessage(error: TRPCError): string {
  if (error.code !== "INTERNAL_SERVER_ERROR" || !(error.cause instanceof Error) || error.cause instanceof TRPCError || error.cause instanceof DomainError) return error.message;
  if (error.message !== error.cause.message) return error.message;
  // Procedures' outages are 503s already (convertErrors); this covers failures outside them.
  if (isDatabaseUnavailable(error.cause)) return DATABASE_UNAVAILABLE_MESSAGE;
  return "Internal error; it has been logged and the team will look at it.";
}

const t = initTRPC.context<Context>().create({
  transformer,
  errorFormatter({ shape, error }) {
    // Stack traces describe our code to whoever asks: they stay in the server's logs.
    const { stack: _stack, ...data } = shape.data;
    const zodError = error.cause instanceof ZodError ? error.cause : null;
    if (!zodError) {
      // A domain error names its field and reason as data: forms read them, never the message text.
      const domain = error.cause instanceof DomainError ? error.cause : null;
      const field = domain?.field ?? null;
      const fieldErrors = domain && field !== null ? { [field]: [domain.problem] } : null;
      return { ...shape, message: publicMessage(error), data: { ...data, fieldErrors, field, reason: domain?.reason ?? null } };
    }
    const fields = fieldErrors(zodError);
    // The message a person reads: every field and its problem, not a JSON dump.
    const message = Object.entries(fields)
      .map(([field, problems]) => `${field}: ${problems.join(", ")}`)
      .join("; ");
    return { ...shape, message: `Invalid input: ${message}`, data: { ...data, fieldErrors: fields, field: null, reason: null } };
  },
});

// 2. Building blocks ---------------------------------------------------------------------

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/**
 * Every procedure builds on this one: a span per call; domain errors get their codes, a database
 * outage answers 503 "try again", not 500 (middleware/observe.ts, middleware/errors.ts).
 */
export const publicProcedure = t.procedure.use(({ ctx, path, type, getRawInput, next }) => observeProcedure({ ctx, path, type, getRawInput, next }));

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
