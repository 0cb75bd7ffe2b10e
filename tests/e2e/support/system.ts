import { readFileSync } from "node:fs";
import path from "node:path";
import type { DemoUser } from "../../../scripts/db/seed-data.ts";

export interface E2ESystem {
  apiUrl: string;
  webUrl: string;
  /** The web's /metrics, on its own port (not the pages'). */
  webMetricsUrl: string;
  databaseUrl: string;
  referenceUrls: { auth: string; inventory: string; payment: string; carrier: string };
  /** The mail catcher (MailDev): its web page, and its REST API under /api. */
  mailUrl: string;
  demoUsers: DemoUser[];
}

/** Where the global setup started everything. */
export function e2eSystem(): E2ESystem {
  return JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../../artifacts/e2e/system.json"), "utf8")) as E2ESystem;
}

export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, "../../../artifacts/screenshots");
