// Setup steps the journeys need but do not test through the browser: accounts and products made
// through the typed API client, as another person would have made them.
import path from "node:path";
import { expect, type Page } from "@playwright/test";
import pg from "pg";
import type { CaughtMail } from "../../../scripts/local/mail-catcher.ts";
import { DEMO_PASSWORD, LOCAL_SECRETS } from "../../../scripts/local/system.ts";
import { createLavkaClient } from "../../../src/client/index.ts";
import { waitFor } from "../../helpers/wait.ts";
import { SCREENSHOT_DIR, e2eSystem } from "../support/system.ts";

export { DEMO_PASSWORD };
export const PASSWORD = "e2e-password-1234";

/** A short token unique to this run, so titles and emails never collide across runs. */
export const RUN = Date.now().toString(36).slice(-6);

export function apiClient(token?: string) {
  return createLavkaClient({ url: e2eSystem().apiUrl, token });
}

export async function apiSignIn(email: string, password = DEMO_PASSWORD): Promise<string> {
  return (await apiClient().auth.login.mutate({ email, password })).token;
}

/** A new account with its own shop, signed in again after the role change. */
export async function apiNewSeller(shopName: string): Promise<string> {
  const email = `${shopName.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${RUN}@e2e.test`;
  const { token } = await apiClient().auth.register.mutate({ email, password: PASSWORD, displayName: shopName });
  await apiClient(token).auth.becomeSeller.mutate({ shopName });
  return apiSignIn(email, PASSWORD);
}

export async function apiPublishedProduct(token: string, input: { title: string; priceMinor: number; stock: number; categorySlug?: string }) {
  return apiClient(token).seller.products.create.mutate({
    title: input.title,
    description: `${input.title}, made for the end-to-end journeys.`,
    priceMinor: input.priceMinor,
    currency: "EUR",
    categorySlug: input.categorySlug,
    initialStock: input.stock,
    publish: true,
  });
}

/** Waits until the API reports the order in one of `statuses` (for setup, not for assertions). */
export async function apiWaitForOrder(token: string, orderId: string, statuses: string[]) {
  const order = () => apiClient(token).orders.get.query({ orderId });
  return waitFor(async () => {
    const current = await order();
    return statuses.includes(current.status) && current;
  }, { describe: async () => `order ${orderId} to be ${statuses.join("/")} (it is ${(await order()).status})` });
}

/** The carrier label the fulfilment pipeline booked for this seller's part of the order. */
export async function apiShippingLabel(sellerToken: string, orderId: string): Promise<{ carrier: string; trackingNumber: string }> {
  return waitFor(async () => {
    const page = await apiClient(sellerToken).orders.sellerLines.query({ limit: 50 });
    const shipment = page.items.find((o) => o.id === orderId)?.shipment;
    return shipment?.trackingNumber ? { carrier: shipment.carrier, trackingNumber: shipment.trackingNumber } : undefined;
  }, { describe: `a carrier label for order ${orderId}` });
}

/** Queues a processor job as an admin and waits for the worker to finish it successfully. */
export async function apiRunJob(name: string, params: Record<string, string> = {}) {
  const admin = apiClient(await apiSignIn("admin@lavka.test"));
  const { run } = await admin.admin.jobs.trigger.mutate({ name, params });
  return waitFor(async () => {
    const mine = (await admin.admin.jobs.list.query({ limit: 20, name })).items.find((r) => r.id === run.id);
    if (mine?.status === "failed") throw new Error(`${name} failed: ${mine.error}`);
    return mine?.status === "succeeded" && mine;
  }, { describe: `${name} to succeed` });
}

const CARRIER_CONTROL_TOKEN = LOCAL_SECRETS.carrierKey;

/** Moves each of the order's parcels one step on at the reference carrier, which calls Lavka back. */
export async function carrierAdvance(orderId: string): Promise<number> {
  const client = new pg.Client({ connectionString: e2eSystem().databaseUrl });
  await client.connect();
  let refs: string[];
  try {
    const { rows } = await client.query<{ carrierRef: string }>('SELECT "carrierRef" FROM "Shipment" WHERE "orderId" = $1 AND "carrierRef" IS NOT NULL', [orderId]);
    refs = rows.map((r) => r.carrierRef);
  } finally {
    await client.end();
  }
  for (const ref of refs) {
    const res = await fetch(`${e2eSystem().referenceUrls.carrier}/_control/shipments/${encodeURIComponent(ref)}/advance`, {
      method: "POST",
      headers: { "x-service-token": CARRIER_CONTROL_TOKEN },
    });
    if (!res.ok) throw new Error(`carrier advance ${ref}: HTTP ${res.status} ${await res.text()}`);
  }
  return refs.length;
}

/** Waits for the mail to `address` whose subject matches, as the local mail server (MailDev) caught it. */
export async function waitForMail(address: string, subject: RegExp): Promise<CaughtMail> {
  const inbox = async () => {
    const res = await fetch(`${e2eSystem().mailUrl}/api/email?sort=asc`);
    if (!res.ok) throw new Error(`mail server: HTTP ${res.status}`);
    return ((await res.json()) as CaughtMail[]).filter((m) => m.to.some((t) => t.address.toLowerCase() === address.toLowerCase()));
  };
  return waitFor(async () => (await inbox()).find((m) => subject.test(m.subject)), {
    describe: async () => `a mail to ${address} matching ${subject}; it has: ${(await inbox()).map((m) => m.subject).join("; ") || "nothing"}`,
  });
}

/** Every mail to `address` whose subject matches. */
export async function mailsTo(address: string, subject: RegExp): Promise<CaughtMail[]> {
  const res = await fetch(`${e2eSystem().mailUrl}/api/email?sort=asc`);
  return ((await res.json()) as CaughtMail[]).filter((m) => subject.test(m.subject) && m.to.some((t) => t.address.toLowerCase() === address.toLowerCase()));
}

export const ADDRESS = { name: "Ada Buyer", line1: "Hauptstraße 1", city: "Berlin", postalCode: "10115", country: "DE" };

export async function signInThroughPage(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

/** Full-page screenshots at desktop width, and the first screen at phone width. */
export async function screenshot(page: Page, name: string, options: { phone?: boolean } = {}): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
  if (options.phone) {
    const size = page.viewportSize();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-phone.png`) });
    if (size) await page.setViewportSize(size);
  }
}
