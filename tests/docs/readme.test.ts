// The README's configuration table is what operators read: it must name every variable the
// services' config schemas declare, and nothing they do not.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { processorConfigSchema } from "~/processor/config";
import { apiConfigSchema } from "~/server/config";
import { webConfigSchema } from "~/web/config";

const readme = readFileSync(path.resolve(import.meta.dirname, "../../README.md"), "utf8");
const section = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("\n## ", readme.indexOf("## Configuration") + 1));
const documented = new Set([...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)`/gm)].map((m) => m[1]!));
/** Read by Next's standalone server.js rather than by our schema. */
const NEXT_SERVER_VARIABLES = ["PORT", "HOSTNAME"];

describe("README configuration table", () => {
  const declared = new Set([
    ...Object.keys(apiConfigSchema.shape),
    ...Object.keys(processorConfigSchema.shape),
    ...Object.keys(webConfigSchema.shape),
    ...NEXT_SERVER_VARIABLES,
  ]);

  it("documents every variable a service reads", () => {
    expect([...declared].filter((name) => !documented.has(name))).toEqual([]);
  });

  it("documents no variable that no service reads", () => {
    expect([...documented].filter((name) => !declared.has(name))).toEqual([]);
  });
});
