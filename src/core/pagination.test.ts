import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DomainError } from "./errors";
import { encodeCursor, newestFirst, readCursor, toPage } from "./pagination";

const ID = "0b9f3c1e-6a7d-4c6e-9a55-0d3f4a1b2c3d";

describe("keyset pagination", () => {
  it("a page of limit + 1 rows has a cursor made of its last item; a short page has none", () => {
    const rows = [{ n: 1 }, { n: 2 }, { n: 3 }];
    const page = toPage(rows, 2, (last) => ({ n: last.n }));
    expect(page.items).toEqual([{ n: 1 }, { n: 2 }]);
    expect(readCursor(page.nextCursor, z.object({ n: z.number() }))).toEqual({ n: 2 });
    expect(toPage(rows, 3, (last) => last)).toEqual({ items: rows, nextCursor: null });
  });

  it("refuses a cursor the list did not return, on the field cursor", () => {
    const schema = z.object({ n: z.number() });
    for (const cursor of ["garbage", encodeCursor({ n: "one" }), "%%%"]) {
      try {
        readCursor(cursor, schema);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError);
        expect(error).toMatchObject({ kind: "invalid", field: "cursor", message: "cursor: not a cursor this list returned" });
      }
    }
    expect(readCursor(null, schema)).toBeNull();
    expect(readCursor("", schema)).toBeNull();
  });

  it("newest first: the cursor holds the column and the id, and reads back as the rows after it", () => {
    const byCreatedAt = newestFirst("createdAt");
    const at = new Date("2026-03-01T10:00:00Z");
    const page = byCreatedAt.page([{ createdAt: at, id: ID }, { createdAt: new Date(0), id: ID }], 1);
    expect(JSON.parse(Buffer.from(page.nextCursor!, "base64url").toString())).toEqual({ createdAt: at.toISOString(), id: ID });
    expect(byCreatedAt.after(page.nextCursor)).toEqual({ OR: [{ createdAt: { lt: at } }, { createdAt: at, id: { lt: ID } }] });
    expect(byCreatedAt.after(undefined)).toEqual({});
    expect(byCreatedAt.orderBy()).toEqual([{ createdAt: "desc" }, { id: "desc" }]);
    // Another list's cursor is not this one's.
    expect(() => newestFirst("placedAt").after(page.nextCursor)).toThrow(DomainError);
  });
});
