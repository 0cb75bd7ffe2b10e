// Runs a command in the repository to its end and collects its output. Kept apart from system.ts
// so that the launcher can generate the Prisma client before loading anything that imports it.
import { spawn } from "node:child_process";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Aborting `signal` stops the command (SIGTERM) and rejects with the signal's reason. */
export function run(cmd: string, args: string[], options: { env?: Record<string, string>; signal?: AbortSignal } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...options.env }, signal: options.signal });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    // 'error' is a spawn failure or the abort; 'close' follows either way.
    child.on("error", () => undefined);
    child.on("close", (code) => {
      if (options.signal?.aborted) reject(options.signal.reason);
      else resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}
