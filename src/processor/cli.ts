/** Command-line parsing for the processor: `worker`, `cron`, `job <name> [--key value ...]`, `--help`. */
export type Command =
  | { mode: "worker" }
  | { mode: "cron" }
  | { mode: "job"; name: string; params: Record<string, string | true> }
  | { mode: "help" };

export class UsageError extends Error {
  override name = "UsageError";
}

export function parseArgs(argv: string[]): Command {
  const [mode, ...rest] = argv;
  if (!mode || mode === "--help" || mode === "-h" || mode === "help") return { mode: "help" };
  if (mode === "worker" || mode === "cron") {
    if (rest.length > 0) throw new UsageError(`"${mode}" takes no arguments, got: ${rest.join(" ")}`);
    return { mode };
  }
  if (mode === "job") {
    const [name, ...flags] = rest;
    if (!name || name.startsWith("-")) throw new UsageError('"job" needs a job name: processor job <name> [--key value ...]');
    return { mode: "job", name, params: parseFlags(flags) };
  }
  throw new UsageError(`Unknown mode "${mode}": expected worker, cron, job <name> or --help`);
}

function parseFlags(flags: string[]): Record<string, string | true> {
  const params: Record<string, string | true> = {};
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i]!;
    if (!flag.startsWith("--") || flag.length < 3) throw new UsageError(`Expected --key, got "${flag}"`);
    const eq = flag.indexOf("=");
    if (eq > 0) {
      params[flag.slice(2, eq)] = flag.slice(eq + 1);
      continue;
    }
    const next = flags[i + 1];
    if (next !== undefined && !next.startsWith("--")) {
      params[flag.slice(2)] = next;
      i++;
    } else {
      params[flag.slice(2)] = true;
    }
  }
  return params;
}
