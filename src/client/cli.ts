// `npm run lavka -- <command> [options]`: Lavka's API from a terminal, over the typed client.
// Adding a command is one entry in `commands` below: its words, options, and a call.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline/promises";
import { pathToFileURL } from "node:url";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { createLavkaClient, TRPCClientError, type LavkaClient } from "./index";

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values = Record<string, string | boolean | string[] | undefined>;

interface Command {
  summary: string;
  /** Positional arguments, by name, in order (all required). */
  args?: string[];
  options?: Options;
  /** Anonymous commands run without a token. */
  anonymous?: boolean;
  run(client: LavkaClient, args: string[], values: Values, env: CliEnv): Promise<unknown>;
}

interface CliEnv {
  url: string;
  tokenFile: string;
  vars: Record<string, string | undefined>;
}

/** Where the CLI reads its environment and writes its output (tests pass their own). */
export interface CliIo {
  env: Record<string, string | undefined>;
  stdout(text: string): void;
  stderr(text: string): void;
}

type Value = Values[string];
const str = (v: Value) => (typeof v === "string" ? v : undefined);
const int = (name: string, v: Value) => {
  if (typeof v !== "string") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be a whole number, got "${v}"`);
  return n;
};
const page: Options = { limit: { type: "string" }, cursor: { type: "string" } };
const pageInput = (v: Values) => ({ limit: int("limit", v.limit), cursor: str(v.cursor) });
const orderStatuses = ["pending_payment", "paid", "fulfilling", "shipped", "delivered", "cancelled"] as const;
function oneOf<const T extends readonly string[]>(name: string, v: Value, allowed: T): T[number] | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  if (!allowed.includes(s)) throw new UsageError(`--${name} must be one of ${allowed.join(", ")}`);
  return s;
}
const orderStatus = (v: Value) => oneOf("status", v, orderStatuses);
/** Repeated `--param key=value` options as an object. */
function keyValues(v: Value): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of Array.isArray(v) ? v : []) {
    const i = pair.indexOf("=");
    if (i <= 0) throw new UsageError(`--param must be key=value, got "${pair}"`);
    out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return out;
}

class UsageError extends Error {}

const commands: Record<string, Command> = {
  login: {
    summary: "sign in and remember the token (asks for the password; or LAVKA_PASSWORD)",
    options: { email: { type: "string" } },
    anonymous: true,
    async run(client, _args, v, env) {
      const email = str(v.email) ?? (await prompt("email: "));
      const password = env.vars.LAVKA_PASSWORD ?? (await prompt("password: ", true));
      const out = await client.auth.login.mutate({ email, password });
      await mkdir(path.dirname(env.tokenFile), { recursive: true });
      await writeFile(env.tokenFile, JSON.stringify({ url: env.url, token: out.token, expiresAt: out.expiresAt }), { mode: 0o600 });
      return { signedInAs: out.user, expiresAt: out.expiresAt, tokenFile: env.tokenFile };
    },
  },
  logout: {
    summary: "end the session and forget the token",
    async run(client, _args, _v, env) {
      await client.auth.logout.mutate();
      await rm(env.tokenFile, { force: true });
      return { signedOut: true };
    },
  },
  whoami: { summary: "the signed-in account", run: (c) => c.auth.me.query() },
  "catalog list": {
    summary: "products on sale",
    options: {
      ...page,
      q: { type: "string" },
      category: { type: "string" },
      seller: { type: "string" },
      "min-price": { type: "string" },
      "max-price": { type: "string" },
      currency: { type: "string" },
      "in-stock": { type: "boolean" },
      sort: { type: "string" },
    },
    anonymous: true,
    run: (c, _a, v) =>
      c.catalog.list.query({
        ...pageInput(v),
        q: str(v.q),
        categorySlug: str(v.category),
        sellerId: str(v.seller),
        minPriceMinor: int("min-price", v["min-price"]),
        maxPriceMinor: int("max-price", v["max-price"]),
        currency: str(v.currency),
        inStock: v["in-stock"] === true ? true : undefined,
        sort: str(v.sort) as "newest" | undefined,
      }),
  },
  "catalog get": { summary: "one product with availability", args: ["productId"], anonymous: true, run: (c, [id]) => c.catalog.get.query({ id: id! }) },
  "catalog categories": { summary: "categories with product counts", anonymous: true, run: (c) => c.catalog.categories.query() },
  "cart view": { summary: "your cart, priced now", run: (c) => c.cart.view.query() },
  "seller products list": {
    summary: "your shop's products",
    options: { ...page, status: { type: "string" }, q: { type: "string" } },
    run: (c, _a, v) => c.seller.products.listOwn.query({ ...pageInput(v), q: str(v.q), status: str(v.status) as "draft" | undefined }),
  },
  "seller products set-stock": {
    summary: "set units on hand of one of your products",
    args: ["productId", "onHand"],
    run: (c, [id, onHand]) => c.seller.products.setStock.mutate({ id: id!, onHand: int("onHand", onHand)! }),
  },
  "orders list": {
    summary: "your orders (--status paid ...)",
    options: { ...page, status: { type: "string" } },
    run: (c, _a, v) => c.orders.list.query({ ...pageInput(v), status: orderStatus(v.status) }),
  },
  "orders get": { summary: "one order with history and tracking", args: ["orderId"], run: (c, [id]) => c.orders.get.query({ orderId: id! }) },
  "orders all": {
    summary: "every order (admin)",
    options: { ...page, status: { type: "string" }, buyer: { type: "string" } },
    run: (c, _a, v) => c.orders.adminList.query({ ...pageInput(v), status: orderStatus(v.status), buyerId: str(v.buyer) }),
  },
  "jobs list": {
    summary: "job runs, newest first (admin)",
    options: { ...page, name: { type: "string" }, status: { type: "string" }, trigger: { type: "string" } },
    run: (c, _a, v) =>
      c.admin.jobs.list.query({
        ...pageInput(v),
        name: str(v.name),
        status: oneOf("status", v.status, ["running", "succeeded", "failed"] as const),
        trigger: oneOf("trigger", v.trigger, ["cron", "job", "manual", "worker"] as const),
      }),
  },
  "jobs catalog": { summary: "the jobs that exist and their schedules (admin)", run: (c) => c.admin.jobs.catalog.query() },
  "jobs trigger": {
    summary: "queue a run of a job (admin); --param key=value, repeatable",
    args: ["name"],
    options: { param: { type: "string", multiple: true } },
    run: (c, [name], v) => c.admin.jobs.trigger.mutate({ name: name!, params: keyValues(v.param) }),
  },
  "dead-letters list": { summary: "events that failed processing (admin)", options: page, run: (c, _a, v) => c.deadLetters.list.query(pageInput(v)) },
};

async function prompt(question: string, hidden = false): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  if (hidden) {
    // Echo nothing while the password is typed.
    const rlWithOutput = rl as unknown as { _writeToOutput: (s: string) => void };
    rlWithOutput._writeToOutput = (s: string) => {
      if (s.startsWith(question)) process.stdout.write(question);
    };
  }
  try {
    return (await rl.question(question)).trim();
  } finally {
    if (hidden) process.stdout.write("\n");
    rl.close();
  }
}

function help(): string {
  const usages = Object.entries(commands).map(([name, cmd]) => [name, [name, ...(cmd.args ?? []).map((a) => `<${a}>`)].join(" ")] as const);
  const width = Math.max(...usages.map(([, u]) => u.length));
  const lines = usages.map(([name, usage]) => {
    const cmd = commands[name]!;
    const opts = Object.keys(cmd.options ?? {}).map((o) => `--${o}`).join(" ");
    return `  ${usage.padEnd(width)}  ${cmd.summary}${opts ? `  [${opts}]` : ""}`;
  });
  return [
    "usage: npm run lavka -- <command> [options]",
    "",
    "commands:",
    ...lines,
    "",
    "environment: LAVKA_API_URL (default http://localhost:4000), LAVKA_TOKEN (else the token saved by `login`)",
    "output: JSON on stdout; errors on stderr with a non-zero exit code",
  ].join("\n");
}

async function savedToken(file: string, url: string): Promise<string | undefined> {
  try {
    const saved = JSON.parse(await readFile(file, "utf8")) as { url?: string; token?: string };
    return saved.url === url ? saved.token : undefined;
  } catch {
    return undefined;
  }
}

/** Runs one command; resolves to the process exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv[0] === "help" || argv[0] === "--help" || argv[0] === "-h") {
    io.stdout(help());
    return 0;
  }
  // The longest run of leading words that names a command: "seller products list".
  let name = "";
  let rest: string[] = [];
  for (let n = Math.min(argv.length, 3); n >= 1; n -= 1) {
    const candidate = argv.slice(0, n).join(" ");
    if (commands[candidate]) {
      name = candidate;
      rest = argv.slice(n);
      break;
    }
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`unknown command "${argv.slice(0, 3).join(" ")}"\n\n${help()}`);
    return 2;
  }
  const env: CliEnv = {
    url: io.env.LAVKA_API_URL ?? "http://localhost:4000",
    tokenFile: path.join(io.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), ".config"), "lavka", "token.json"),
    vars: io.env,
  };
  try {
    const { values, positionals } = parseArgs({ args: rest, options: command.options ?? {}, allowPositionals: true, strict: true });
    const expected = command.args ?? [];
    if (positionals.length !== expected.length) {
      throw new UsageError(`usage: ${[name, ...expected.map((a) => `<${a}>`)].join(" ")}`);
    }
    const token = io.env.LAVKA_TOKEN ?? (await savedToken(env.tokenFile, env.url));
    if (!token && !command.anonymous) throw new UsageError("not signed in: run `npm run lavka -- login` or set LAVKA_TOKEN");
    const client = createLavkaClient({ url: env.url, token: token ?? null });
    const result = await command.run(client, positionals, values as Values, env);
    io.stdout(JSON.stringify(result, null, 2));
    return 0;
  } catch (err) {
    if (err instanceof UsageError || (err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS"))) {
      io.stderr(err.message);
      return 2;
    }
    if (err instanceof TRPCClientError) {
      const code = (err.data as { code?: string } | undefined)?.code;
      if (!code) {
        io.stderr(`cannot reach the Lavka API at ${env.url} (${err.message}); is it running? Set LAVKA_API_URL to point elsewhere.`);
        return 1;
      }
      io.stderr(`${code ?? "error"}: ${err.message}`);
      return code === "UNAUTHORIZED" || code === "FORBIDDEN" ? 3 : 1;
    }
    io.stderr(err instanceof Error ? err.message : String(err));
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runCli(process.argv.slice(2), {
    env: process.env,
    stdout: (text) => console.log(text),
    stderr: (text) => console.error(text),
  });
}
