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
  await expect(page.getByRole("main").getByRole("alert")).toHaveText("Please check the filters. Search: must not contain control characters.");
});

test("a price range no product can be in is explained in words, not with the API's field names", async ({ page }) => {
  await page.goto("/catalog?min=50&max=10");
  await expect(page.getByRole("main").getByRole("alert")).toHaveText("Please check the filters. The highest price must not be below the lowest.");
  await expect(page.getByRole("main")).not.toContainText("PriceMinor");
});

test("a product that does not exist answers 404 with the not-found page", async ({ page }) => {
  for (const path of ["/products/00000000-0000-4000-8000-000000000000", "/products/not-a-product"]) {
    const res = await page.goto(path);
    expect(res?.status()).toBe(404);
    await expect(page.getByRole("heading", { level: 1, name: "Not found" })).toBeVisible();
  }
});

test("the catalog says how many products match and leads back to the previous page", async ({ page }) => {
  await page.goto("/catalog");
  const count = page.getByTestId("results-count");
  await expect(count).toHaveText(/^1–24 of \d+ products$/);
  const total = Number(/of (\d+)/.exec((await count.textContent()) ?? "")![1]);
  expect(total).toBeGreaterThan(24);
  const products = page.getByRole("list", { name: "Products" }).getByRole("listitem");
  const firstOnPageOne = await products.first().textContent();
  const pager = page.getByRole("navigation", { name: "Pages" });
  await expect(pager).toContainText("Page 1");
  await expect(pager.getByRole("link", { name: "← Previous page" })).toHaveCount(0);

  await pager.getByRole("link", { name: "Next page →" }).click();
  await expect(pager).toContainText("Page 2");
  await expect(count).toHaveText(`25–${Math.min(48, total)} of ${total} products`);
  expect(await products.first().textContent()).not.toBe(firstOnPageOne);
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, "catalog-page-2.png"), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, "catalog-page-2-phone.png"), fullPage: true });

  await pager.getByRole("link", { name: "← Previous page" }).click();
  await expect(pager).toContainText("Page 1");
  await expect(count).toHaveText(`1–24 of ${total} products`);
  await expect(products.first()).toHaveText(firstOnPageOne!);
});
