import path from "node:path";
import { expect, test } from "@playwright/test";
import { SCREENSHOT_DIR } from "./support/system";

test("the catalog page lists demo products with their prices and sellers", async ({ page }) => {
  await page.goto("/catalog");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  const products = page.getByRole("list", { name: "Products" }).getByRole("listitem");
  await expect(products.first()).toBeVisible();
  expect(await products.count()).toBeGreaterThan(1);
  // Every card shows a formatted price in the seed's currency.
  await expect(products.first()).toContainText("€");
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, "catalog.png"), fullPage: true });
});

test("a search holding a control character (from a crafted URL) says why instead of failing the page", async ({ page }) => {
  const res = await page.goto("/catalog?q=tea%00pot");
  expect(res?.status()).toBe(200);
  await expect(page.getByRole("main").getByRole("alert")).toContainText("q: must not contain control characters");
});
