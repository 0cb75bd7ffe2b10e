import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestApi, type TestApi } from "../../tests/helpers/api.ts";
import { runCli } from "./cli";
import { createProduct, createSellerUser, registerAccount } from "../../tests/helpers/fixtures.ts";

const run = promisify(execFile);
const cli = path.resolve(import.meta.dirname, "cli.ts");
const tsx = path.resolve(import.meta.dirname, "../../node_modules/.bin/tsx");

let api: TestApi;
let url: string;
let home: string;
let token: string;
beforeAll(async () => {
  api = await startTestApi();
  url = await api.listen();
  home = await mkdtemp(path.join(os.tmpdir(), "lavka-cli-"));
  const seller = await createSellerUser(api.deps.db);
  await createProduct(api.deps.db, seller.sellerId, { title: "CLI kettle" });
  token = (await registerAccount(api.deps)).session.accessToken;
});
afterAll(async () => {
  await api?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

/** Runs the CLI in this process (spawning tsx per command is slow on a shared machine). */
async function lavka(args: string[], env: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    env: { LAVKA_API_URL: url, XDG_CONFIG_HOME: home, ...env },
    stdout: (text) => (stdout += `${text}\n`),
    stderr: (text) => (stderr += `${text}\n`),
  });
  return { code, stdout, stderr };
}

describe("lavka CLI", () => {
  test("runs as a program: npm run lavka's entry prints help and JSON results", async () => {
    const { stdout } = await run(tsx, [cli, "catalog", "list", "--q", "kettle"], { env: { ...process.env, LAVKA_API_URL: url, XDG_CONFIG_HOME: home } });
    expect(JSON.parse(stdout).items).toHaveLength(1);
  });

  test("catalog list works anonymously and prints JSON", async () => {
    const out = await lavka(["catalog", "list", "--q", "kettle"]);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout).items.map((p: { title: string }) => p.title)).toEqual(["CLI kettle"]);
  });

  test("orders list --status paid with LAVKA_TOKEN; without a token it says how to sign in", async () => {
    const ok = await lavka(["orders", "list", "--status", "paid"], { LAVKA_TOKEN: token });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ items: [] });
    const anon = await lavka(["orders", "list"]);
    expect(anon.code).toBe(2);
    expect(anon.stderr).toMatch(/not signed in/);
  });

  test("jobs list as an admin; login saves a token the next command uses", async () => {
    const { session, password } = await registerAccount(api.deps);
    await api.deps.auth.setRole(session.user.id, "admin");
    const login = await lavka(["login", "--email", session.user.email], { LAVKA_PASSWORD: password });
    expect(login.code).toBe(0);
    const jobs = await lavka(["jobs", "list", "--status", "failed"]);
    expect(jobs.code).toBe(0);
    expect(JSON.parse(jobs.stdout)).toMatchObject({ items: [] });
    expect((await lavka(["logout"])).code).toBe(0);
    expect((await lavka(["jobs", "list"])).stderr).toMatch(/not signed in/);
  });

  test("bad usage and API errors exit non-zero with a message", async () => {
    expect((await lavka(["orders", "list", "--status", "lost"], { LAVKA_TOKEN: token })).stderr).toMatch(/--status must be one of/);
    expect((await lavka(["nope"])).code).toBe(2);
    const denied = await lavka(["orders", "all"], { LAVKA_TOKEN: token });
    expect(denied.code).toBe(3);
    expect(denied.stderr).toMatch(/^FORBIDDEN: /);
  });
});
