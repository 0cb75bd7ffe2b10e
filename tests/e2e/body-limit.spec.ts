// Oversized uploads through the web's same-origin tRPC proxy: every client reads the 413, with
// or without Content-Length (the API's own limit is tested in src/server/http/body-limit.test.ts).
import { expect, test } from "@playwright/test";
import { postOversized } from "../helpers/oversized-post.ts";

for (const chunked of [false, true]) {
  test(`a 10 MB body to the tRPC proxy always gets a readable 413 (${chunked ? "chunked" : "with Content-Length"})`, async ({ baseURL }) => {
    const outcomes = await postOversized({
      url: baseURL!,
      path: "/api/trpc/cart.add",
      bytes: 10 * 1024 * 1024,
      chunked,
      headers: { "sec-fetch-site": "same-origin" },
      sequential: 30,
      concurrent: 30,
    });
    expect(outcomes.map((o) => ("error" in o ? o.error : o.status)).filter((s) => s !== 413)).toEqual([]);
    for (const o of outcomes) expect("text" in o && o.text).toContain("at most 1000000 bytes");
  });
}
