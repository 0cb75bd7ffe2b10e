import { z } from "zod";
import { DomainError } from "./errors";

/**
 * Keyset pagination, the one implementation behind every list: a page is read with `limit + 1`
 * rows in list order (the extra row only says that a next page exists), and the cursor is the
 * last row's sort key plus its id as tie-breaker, as opaque base64url JSON. Stable under
 * concurrent inserts and as fast on page 500 as on page 1.
 */

/** One page of a list and the cursor of the next page (null on the last one). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const NOT_OURS = "not a cursor this list returned";

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

function decodeCursor<S extends z.ZodType>(cursor: string, schema: S): z.infer<S> | null {
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * The sort key a cursor carries, null without a cursor. Clients pass cursors back unchanged, so
 * one that does not decode to `schema` is a client error on the field "cursor".
 */
export function readCursor<S extends z.ZodType>(cursor: string | null | undefined, schema: S, problem = NOT_OURS): z.infer<S> | null {
  if (!cursor) return null;
  const key = decodeCursor(cursor, schema);
  if (key === null) throw new DomainError("invalid", problem, { field: "cursor" });
  return key;
}

/** The page of `rows` (read with `take: limit + 1`), its cursor made of the last item's `keyOf`. */
export function toPage<T>(rows: T[], limit: number, keyOf: (last: T) => unknown): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

type After<K extends string> = { OR: [Record<K, { lt: Date }>, Record<K, Date> & { id: { lt: string } }] };

/**
 * Newest first on (`column` desc, id desc), the order of most lists (orders, users, job runs,
 * reports ...): the Prisma `where`, `orderBy` and page for a table with that timestamp column.
 * The cursor is `{ [column]: ISO time, id }`. `id` checks the id in a cursor (default: a UUID).
 */
export function newestFirst<K extends string>(column: K, id: z.ZodType<string> = z.uuid()) {
  const schema = z.object({ [column]: z.iso.datetime(), id }) as unknown as z.ZodType<Record<K, string> & { id: string }>;
  return {
    /** Rows after the cursor's ({} without one), to spread or AND into the list's `where`. */
    after(cursor: string | null | undefined, problem?: string): After<K> | Record<never, never> {
      const key = readCursor(cursor, schema, problem);
      if (!key) return {};
      const at = new Date(key[column]);
      return { OR: [{ [column]: { lt: at } } as Record<K, { lt: Date }>, { [column]: at, id: { lt: key.id } } as Record<K, Date> & { id: { lt: string } }] };
    },
    orderBy(): [Record<K, "desc">, { id: "desc" }] {
      return [{ [column]: "desc" } as Record<K, "desc">, { id: "desc" }];
    },
    page<T extends Record<K, Date> & { id: string }>(rows: T[], limit: number): Page<T> {
      return toPage(rows, limit, (last) => ({ [column]: last[column].toISOString(), id: last.id }));
    },
  };
}
