import { expect, test } from "@playwright/test";
import { LONG_TEST_BUDGET_MS } from "../../helpers/wait.ts";
import { ADDRESS, DEMO_PASSWORD, PASSWORD, RUN, apiClient, apiNewSeller, apiPublishedProduct, apiRunJob, apiWaitForOrder, screenshot, signInThroughPage } from "./helpers.ts";

test("a seller creates and publishes a product, finds it in the catalog, ships an order and sees the sale on the dashboard", async ({ page }) => {
  test.setTimeout(LONG_TEST_BUDGET_MS);
  const title = `Wombat wool blanket ${RUN}`;
  await signInThroughPage(page, "seller@lavka.test", DEMO_PASSWORD);

  // The workspace opens on the sales dashboard.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Seller" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Lavka Demo Shop: sales" })).toBeVisible();
  await expect(page.getByTestId("today-so-far")).toBeVisible();
  await screenshot(page, "seller-dashboard", { phone: true });

  // Create: a bad price is caught at the field, then the product is saved as a draft.
  await page.getByRole("navigation", { name: "Section" }).getByRole("link", { name: "Products" }).click();
  await expect(page.getByRole("table")).toBeVisible();
  await screenshot(page, "seller-products", { phone: true });
  await page.getByRole("link", { name: "New product" }).click();
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Description").fill("Soft merino, woven in a small mill.");
  await page.getByLabel("Price").fill("ten euros");
  await page.getByLabel("Units in stock").fill("25");
  await page.getByRole("button", { name: "Create product" }).click();
  await expect(page.getByText("Enter a price such as 12.50.")).toBeVisible();
  await expect(page.getByLabel("Title")).toHaveValue(title);
  await page.getByLabel("Price").fill("64.50");
  await page.getByRole("button", { name: "Create product" }).click();
  await expect(page.getByText("Product created.")).toBeVisible();
  await expect(page.getByText("This is a draft")).toBeVisible();
  await expect(page.getByTestId("product-status")).toHaveText("draft");
  await screenshot(page, "seller-product-edit", { phone: true });

  // Not in the catalog until published.
  const productUrl = page.url().replace(/\?.*$/, "");
  const productId = /\/seller\/products\/([0-9a-f-]{36})/.exec(productUrl)![1]!;
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByTestId("product-status")).toHaveText("active");
  await expect(page.getByText("Published: buyers can now find it.")).toBeVisible();

  // Find it in the catalog like a buyer would.
  await page.getByRole("searchbox", { name: "Search products" }).fill(`wombat ${RUN}`);
  await page.getByRole("searchbox", { name: "Search products" }).press("Enter");
  const results = page.getByRole("list", { name: "Products" }).getByRole("listitem");
  await expect(results).toHaveCount(1);
  await expect(results.first()).toContainText(title);
  await expect(results.first()).toContainText("€64.50");

  // A buyer orders it (through the API) and pays.
  const buyerEmail = `wombat-buyer-${RUN}@e2e.test`;
  const { token: buyer } = await apiClient().auth.register.mutate({ email: buyerEmail, password: PASSWORD, displayName: "Wombat Fan" });
  await apiClient(buyer).cart.add.mutate({ productId, quantity: 2 });
  const order = await apiClient(buyer).checkout.place.mutate({ idempotencyKey: `e2e-seller-${RUN}`, shippingAddress: ADDRESS });
  // Payment, then the pipeline books a carrier label for each shop's parcel.
  await apiWaitForOrder(buyer, order.id, ["fulfilling"]);

  // Ship it from the orders page.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Seller" }).click();
  await page.getByRole("navigation", { name: "Section" }).getByRole("link", { name: "Orders to fulfil" }).click();
  const card = page.getByTestId(`seller-order-${order.number}`);
  await expect(card).toContainText(title);
  // The booked label is filled in already.
  await expect(card.getByLabel("Tracking number")).not.toHaveValue("");
  await screenshot(page, "seller-orders", { phone: true });
  await card.getByRole("button", { name: "Mark shipped" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Order #${order.number} marked as shipped.` })).toBeVisible();
  await apiWaitForOrder(buyer, order.id, ["shipped"]);

  // The hourly aggregation runs (an operator triggers it now instead of waiting for the hour).
  await apiRunJob("aggregate-sales");
  await page.getByRole("navigation", { name: "Section" }).getByRole("link", { name: "Dashboard" }).click();
  await page.getByRole("link", { name: "7 days" }).click();
  await expect(page.getByTestId("top-products")).toContainText(title);
  await expect(page.getByTestId("top-products").getByRole("row").filter({ hasText: title })).toContainText("€129.00");
  await screenshot(page, "seller-dashboard-after-sale", { phone: true });

  // Forecast and reports pages render for the shop.
  await page.getByRole("navigation", { name: "Section" }).getByRole("link", { name: "Forecast" }).click();
  await expect(page.getByRole("heading", { name: "Reorder soon" })).toBeVisible();
  // The forecast explains itself in words, not model names or error metrics.
  await expect(page.getByTestId("forecast-basis")).toBeVisible();
  await expect(page.getByRole("main")).not.toContainText(/holt-winters|WAPE/i);
  await screenshot(page, "seller-forecast", { phone: true });
  await page.getByRole("navigation", { name: "Section" }).getByRole("link", { name: "Reports" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Reports" })).toBeVisible();
  await screenshot(page, "seller-reports", { phone: true });
});

test("a new shop's dashboard compares nothing with days before its first sale, and keeps today off the charts", async ({ page }) => {
  test.setTimeout(LONG_TEST_BUDGET_MS);
  const shopName = `Numbat Goods ${RUN}`;
  const sellerToken = await apiNewSeller(shopName);
  const product = await apiPublishedProduct(sellerToken, { title: `Numbat mug ${RUN}`, priceMinor: 1500, stock: 5 });
  const { token: buyer } = await apiClient().auth.register.mutate({ email: `numbat-buyer-${RUN}@e2e.test`, password: PASSWORD, displayName: "Numbat Fan" });
  await apiClient(buyer).cart.add.mutate({ productId: product.id, quantity: 2 });
  const order = await apiClient(buyer).checkout.place.mutate({ idempotencyKey: `e2e-numbat-${RUN}`, shippingAddress: ADDRESS });
  await apiWaitForOrder(buyer, order.id, ["paid", "fulfilling"]);
  await apiRunJob("aggregate-sales");

  const { email } = await apiClient(sellerToken).auth.me.query();
  await signInThroughPage(page, email, PASSWORD);
  await page.goto("/seller?days=7");
  await expect(page.getByTestId("sales-summary")).toContainText("€30.00");
  // Its only sale is today: no "▲ n%" against the empty week before, and today is said, not plotted.
  await expect(page.getByTestId("no-comparison")).toContainText("Your first sale was on");
  await expect(page.getByTestId("sales-summary")).not.toContainText("vs previous period");
  await expect(page.getByTestId("today-so-far")).toHaveText("Today so far: €30.00 from 1 order. Today joins the charts once it is over.");
  await expect(page.getByTestId("top-products")).not.toContainText("Change");
  // Nothing sold on the complete days yet: said, not drawn as flat lines on a revenue axis in cents.
  await expect(page.getByRole("region", { name: "Revenue per day" })).toContainText("No sales on these days.");
  await screenshot(page, "seller-dashboard-new-shop", { phone: true });
});
