import type { JobDefinition } from "./types";

/** Every job the processor can run, by name: `processor job <name>`, cron mode and the operations page. */
export const jobs: JobDefinition[] = [];

export function findJob(name: string): JobDefinition | undefined {
  return jobs.find((job) => job.name === name);
}
