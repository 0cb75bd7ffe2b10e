// Oversized bodies: the client must always be able to read the 413, however the body is framed
// and whichever endpoint it is sent to.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetricsRegistry } from "~/lib/metrics";
import { startTestApi, type TestApi } from "../../../tests/helpers/api";
import { registerAccount } from "../../../tests/helpers/fixtures";
import { postOversized, type OversizedPlan } from "../../../tests/helpers/oversized-post";
import { createApiServer, type ApiServer } from "./server";

const MAX_BODY_BYTES = 100_000;
const TEN_MB = 10 * 1024 * 1024;

let api: TestApi;
let server: ApiServer;
let baseUrl: string;
/** Signed in, so that procedures get as far as reading their input. */
let authorization: string;

beforeAll(async () => {
  api = await startTestApi();
  server = createApiServer({ deps: api.deps, registry: createMetricsRegistry("body-limit"), maxBodyBytes: MAX_BODY_BYTES, carrierWebhookSecret: "secret" });
  await new Promise<void>((resolve) => server.server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as { port: number };
  baseUrl = `http://127.0.0.1:${port}`;
  authorization = `Bearer ${(await registerAccount(api.deps)).session.accessToken}`;
});
afterAll(async () => {
  await server?.shutdown(1_000);
  await api?.close();
});

/** 30 uploads of 10 MB one after another, then 30 at once: every client reads a 413 naming the limit. */
async function expectEvery413(path: string, limit: number, options: Partial<OversizedPlan> = {}) {
  const outcomes = await postOversized({ url: baseUrl, path, bytes: TEN_MB, sequential: 30, concurrent: 30, headers: { authorization }, ...options });
  expect(outcomes).toHaveLength(60);
  const seen = outcomes.map((o) => ("error" in o ? o.error : o.status));
  expect(seen.filter((s) => s !== 413)).toEqual([]);
  for (const o of outcomes) expect("text" in o && o.text).toContain(String(limit));
}

// Each case moves 600 MB over loopback: the default test budget (tests/helpers/wait.ts) covers a busy machine.
describe("a 10 MB body always gets a 413 the client can read", () => {
  it("on a procedure without input", async () => {
    await expectEvery413("/trpc/cart.clear", MAX_BODY_BYTES);
  });

  it("on a procedure with input", async () => {
    await expectEvery413("/trpc/cart.add", MAX_BODY_BYTES);
  });

  it("on a procedure, sent chunked (no Content-Length to refuse up front)", async () => {
    await expectEvery413("/trpc/cart.add", MAX_BODY_BYTES, { chunked: true });
  });

  it("on the carrier webhook, with and without Content-Length", async () => {
    await expectEvery413("/webhooks/carrier", 64 * 1024);
    await expectEvery413("/webhooks/carrier", 64 * 1024, { chunked: true });
  });

  it("and the server keeps serving", async () => {
    const res = await fetch(`${baseUrl}/trpc/cart.view`, { headers: { authorization } });
    expect(res.status).toBe(200);
  });
});
