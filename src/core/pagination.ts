import type { z } from "zod";

/**
 * Opaque pagination cursors: base64url JSON of the last row's sort key. Clients pass them back
 * unchanged; a cursor that does not decode to the expected shape is a client error.
 */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

export function decodeCursor<S extends z.ZodType>(cursor: string, schema: S): z.infer<S> | null {
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
