// The Dockerfile, parsed: shared stages, the three targets, what each runtime stage copies, the
// user it runs as, its labels; the PgBouncer target; and a .dockerignore that keeps the context small.
import { readFileSync } from "node:fs";
import path from "node:path";
import { DockerfileParser, type Instruction } from "dockerfile-ast";
import { describe, expect, it } from "vitest";
import { ROOT } from "./render.ts";

const text = readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
const dockerfile = DockerfileParser.parse(text);
const TARGETS = ["api-service", "data-processing-service", "web-interface"];

interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

/** Instructions grouped by stage (FROM to FROM). */
function stages(): Stage[] {
  const froms = dockerfile.getFROMs();
  const all = dockerfile.getInstructions();
  return froms.map((from, i) => {
    const start = from.getRange().start.line;
    const end = froms[i + 1]?.getRange().start.line ?? Number.MAX_SAFE_INTEGER;
    return {
      name: from.getBuildStage() ?? `#${i}`,
      from: from.getImageName() ?? "",
      instructions: all.filter((ins) => ins.getRange().start.line > start && ins.getRange().start.line < end),
    };
  });
}

function stage(name: string): Stage {
  const s = stages().find((x) => x.name === name);
  if (!s) throw new Error(`no stage ${name}`);
  return s;
}

/** A stage and its parents (FROM <stage>), nearest first. */
function lineage(name: string): Stage[] {
  const chain: Stage[] = [];
  let current: Stage | undefined = stage(name);
  while (current) {
    chain.push(current);
    const parent: string = current.from;
    current = stages().find((s) => s.name === parent);
  }
  return chain;
}

function keyword(ins: Instruction): string {
  return ins.getKeyword().toUpperCase();
}

describe("Dockerfile", () => {
  it("has the three targets and shared deps and build stages", () => {
    const names = stages().map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining([...TARGETS, "deps", "build"]));
    expect(stage("build").from).toBe("deps");
    // Each target's build output comes from a stage built on the shared build stage.
    for (const target of TARGETS) {
      const sources = lineage(target)
        .flatMap((s) => s.instructions)
        .filter((ins) => keyword(ins) === "COPY")
        .map((ins) => /--from=(\S+)/.exec(ins.getTextContent() ?? "")?.[1])
        .filter((s): s is string => Boolean(s));
      expect(sources.length, target).toBeGreaterThan(0);
      for (const source of sources) {
        expect(lineage(source).map((s) => s.name), `${target} copies from ${source}`).toContain("build");
      }
    }
  });

  it("takes the base image and the version as build arguments", () => {
    const globalArgs = dockerfile.getInitialARGs().map((a) => a.getTextContent());
    // Node 24, the current LTS (tests/runtime/engines.test.ts holds package.json's engines to it).
    expect(globalArgs).toContain("ARG BASE_IMAGE=node:24-bookworm-slim");
    expect(globalArgs).toContain("ARG PGBOUNCER_BASE_IMAGE=debian:bookworm-slim");
    expect(text).toMatch(/^ARG VERSION=v1$/m);
    for (const from of dockerfile.getFROMs()) {
      const image = from.getImageName();
      const allowed = from.getBuildStage() === "pgbouncer" ? "${PGBOUNCER_BASE_IMAGE}" : "${BASE_IMAGE}";
      expect(image === allowed || stages().some((s) => s.name === image), `FROM ${image}`).toBe(true);
    }
  });

  it("installs with npm install from the lockfile (npm ci rejects our lockfile)", () => {
    const run = stage("deps").instructions.filter((ins) => keyword(ins) === "RUN").map((ins) => ins.getTextContent() ?? "");
    expect(run.join("\n")).toMatch(/npm install\b/);
    expect(run.join("\n")).not.toMatch(/npm ci\b/);
    const copies = stage("deps").instructions.filter((ins) => keyword(ins) === "COPY").map((ins) => ins.getTextContent());
    expect(copies).toEqual(["COPY package.json package-lock.json ./"]);
  });

  it.each(TARGETS)("%s runs as a fixed non-root uid, is labelled, and starts from the bare runtime", (target) => {
    const chain = lineage(target);
    // Runtime stages never descend from deps/build: no dev dependencies, no sources.
    expect(chain.map((s) => s.name)).not.toContain("deps");
    expect(chain.map((s) => s.name)).not.toContain("build");
    expect(chain.at(-1)?.from).toBe("${BASE_IMAGE}");
    const users = chain.flatMap((s) => s.instructions).filter((ins) => keyword(ins) === "USER");
    const user = users[0]?.getArgumentsContent() ?? "";
    expect(user).toMatch(/^\d+:\d+$/);
    expect(Number(user.split(":")[0])).toBeGreaterThan(0);
    const labels = chain.flatMap((s) => s.instructions).filter((ins) => keyword(ins) === "LABEL").map((l) => l.getTextContent() ?? "");
    for (const key of ["title", "version", "revision", "created", "source", "description"]) {
      expect(labels.join("\n"), `org.opencontainers.image.${key}`).toContain(`org.opencontainers.image.${key}=`);
    }
    const start = chain[0]?.instructions.filter((ins) => ["CMD", "ENTRYPOINT"].includes(keyword(ins))) ?? [];
    expect(start.length).toBeGreaterThan(0);
    for (const ins of start) expect(ins.getArgumentsContent()?.trim().startsWith("[")).toBe(true); // exec form: node is PID 1 and gets SIGTERM
  });

  it("pgbouncer is Debian's PgBouncer on plain Debian, non-root, labelled, stopped with its safe-shutdown signal", () => {
    const chain = lineage("pgbouncer");
    expect(chain.map((s) => s.from)).toEqual(["${PGBOUNCER_BASE_IMAGE}"]);
    const ins = chain[0]?.instructions ?? [];
    const of = (k: string) => ins.filter((i) => keyword(i) === k).map((i) => i.getArgumentsContent() ?? "");
    expect(of("COPY").concat(of("ADD")), "nothing of Lavka's in it").toEqual([]);
    expect(of("RUN").join("\n")).toMatch(/apt-get install .*pgbouncer/);
    expect(of("USER")).toEqual(["10001:10001"]);
    expect(of("STOPSIGNAL")).toEqual(["SIGINT"]);
    expect(of("EXPOSE")).toEqual(["6432"]);
    expect(of("CMD")).toEqual(['["pgbouncer", "/etc/pgbouncer/pgbouncer.ini"]']);
    for (const key of ["title", "version", "revision", "created", "source", "description"]) {
      expect(of("LABEL").join("\n"), `org.opencontainers.image.${key}`).toContain(`org.opencontainers.image.${key}=`);
    }
  });

  it("copies only build output into the runtime images, never reference services or sources", () => {
    for (const target of TARGETS) {
      const copies = lineage(target)
        .flatMap((s) => s.instructions)
        .filter((ins) => ["COPY", "ADD"].includes(keyword(ins)))
        .map((ins) => ins.getTextContent() ?? "");
      for (const c of copies) {
        expect(c, target).toMatch(/--from=/);
        expect(c).not.toMatch(/reference|\/src\/|node_modules /);
      }
    }
  });
});

describe(".dockerignore", () => {
  const ignore = readFileSync(path.join(ROOT, ".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));

  it("is an allowlist that leaves out reference services, dependencies, build output and .git", () => {
    expect(ignore[0]).toBe("*");
    const allowed = ignore.filter((l) => l.startsWith("!")).map((l) => l.slice(1).replace(/\/$/, ""));
    for (const never of ["reference", "node_modules", ".git", "tests", "manifests", ".next", "dist", ".lavka"]) {
      expect(allowed, never).not.toContain(never);
    }
    expect(ignore).toContain("**/node_modules");
    expect(ignore).toContain("src/generated");
  });

  it("lets in everything the Dockerfile copies from the context", () => {
    const allowed = ignore.filter((l) => l.startsWith("!")).map((l) => l.slice(1).replace(/\/$/, ""));
    for (const ins of dockerfile.getInstructions().filter((i) => keyword(i) === "COPY" && !/--from=/.test(i.getTextContent() ?? ""))) {
      const sources = (ins.getArguments().map((a) => a.getValue()).slice(0, -1));
      for (const src of sources) {
        if (src === ".") continue;
        expect(allowed, `COPY ${src}`).toContain(src.replace(/\/$/, ""));
      }
    }
  });
});
