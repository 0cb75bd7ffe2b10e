// Builds (or reuses) the migrated template database once per vitest run and hands its name to
// the test workers, which clone it per test file (tests/helpers/db.ts).
import type { TestProject } from "vitest/node";
import { ensureTemplateDatabase, sweepStaleDatabases } from "./helpers/postgres.ts";

declare module "vitest" {
  export interface ProvidedContext {
    lavkaTemplateDatabase: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const template = await ensureTemplateDatabase();
  await sweepStaleDatabases(template);
  project.provide("lavkaTemplateDatabase", template);
}
