import { expect, test } from "@playwright/test";
import { LONG_TEST_BUDGET_MS } from "../../helpers/wait.ts";
import { e2eSystem } from "../support/system.ts";
import { ADDRESS, PASSWORD, RUN, apiClient, apiNewSeller, apiPublishedProduct, apiShippingLabel, apiSignIn, carrierAdvance, mailsTo, screenshot, waitForMail } from "./helpers.ts";

// The buyer's browser prefers German: the shop's pages stay in the shop's locale, but the
// account remembers it for the money and dates in the buyer's mail.
test.use({ locale: "de-DE" });

// Two shops each sell a "quokka" product the buyer can afford, plus one above the price filter.
test("a buyer registers, searches, filters, buys from two sellers and watches the order get paid and shipped", async ({ page }) => {
  test.setTimeout(LONG_TEST_BUDGET_MS);
  const demoSeller = await apiSignIn("seller@lavka.test");
  const otherSeller = await apiNewSeller(`Quokka Works ${RUN}`);
  const apron = await apiPublishedProduct(demoSeller, { title: `Quokka linen apron ${RUN}`, priceMinor: 1900, stock: 10 });
  const napkins = await apiPublishedProduct(otherSeller, { title: `Quokka linen napkins ${RUN}`, priceMinor: 1250, stock: 10 });
  await apiPublishedProduct(otherSeller, { title: `Quokka linen tablecloth ${RUN}`, priceMinor: 8900, stock: 10 });

  // Home page, as a visitor.
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "New arrivals" })).toBeVisible();
  await screenshot(page, "home", { phone: true });

  // Register.
  await page.getByRole("link", { name: "Register" }).click();
  const email = `buyer-${RUN}@e2e.test`;
  await screenshot(page, "register", { phone: true });
  // A control character pasted into the name (BEL here) is refused like a short password.
  await page.getByLabel("Your name").fill("Ada\u0007Buyer");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel(/^Password/).fill("short");
  await page.getByLabel("Repeat the password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  // The API's validation shows at the field.
  await expect(page.getByText("must be at least 8 characters")).toBeVisible();
  await expect(page.getByText("must not contain control characters")).toBeVisible();
  await page.getByLabel("Your name").fill("Ada Buyer");
  await page.getByLabel(/^Password/).fill(PASSWORD);
  await page.getByLabel("Repeat the password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();

  // Search from the header, then filter by price: the URL keeps the filters.
  await page.getByRole("searchbox", { name: "Search products" }).fill(`quokka ${RUN}`);
  await page.getByRole("searchbox", { name: "Search products" }).press("Enter");
  const results = page.getByRole("list", { name: "Products" }).getByRole("listitem");
  await expect(results).toHaveCount(3);
  await page.getByLabel("Maximum price").fill("30");
  await page.getByLabel("Sort by").selectOption("price_asc");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/max=30/);
  await expect(page).toHaveURL(/sort=price_asc/);
  await expect(results).toHaveCount(2);
  await expect(results.first()).toContainText(napkins.title);
  await expect(results.nth(1)).toContainText(apron.title);
  await expect(page.getByRole("list", { name: "Products" })).not.toContainText("tablecloth");
  await screenshot(page, "catalog-filtered", { phone: true });

  // Add one product from each seller.
  await results.filter({ hasText: apron.title }).getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1, name: apron.title })).toBeVisible();
  await expect(page.getByText("Sold by Lavka Demo Shop")).toBeVisible();
  await expect(page.getByText("€19.00")).toBeVisible();
  await expect(page.getByTestId("availability")).toHaveText("In stock");
  await screenshot(page, "product", { phone: true });
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expect(page.getByRole("status")).toContainText("Added to your cart (1 item");
  await page.goBack();
  await results.filter({ hasText: napkins.title }).getByRole("link").click();
  await page.getByLabel("Quantity").fill("2");
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expect(page.getByRole("status")).toContainText("Added to your cart (3 items");

  // Cart: two lines from two shops.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Cart" }).click();
  const lines = page.getByRole("list", { name: "Items in your cart" }).getByRole("listitem");
  await expect(lines).toHaveCount(2);
  await expect(page.getByLabel("Cart summary")).toContainText("€44.00");
  await screenshot(page, "cart", { phone: true });

  // Checkout: one idempotency key per attempt, in the form from the start.
  await page.getByRole("link", { name: "Go to checkout" }).click();
  const key = await page.locator('input[name="idempotencyKey"]').inputValue();
  expect(key).toMatch(/^[0-9a-f-]{36}$/);
  await page.getByLabel("Street and number").fill(ADDRESS.line1);
  await page.getByLabel("Postal code").fill(ADDRESS.postalCode);
  await page.getByLabel("City").fill(ADDRESS.city);
  await screenshot(page, "checkout", { phone: true });
  // A double click still places one order: the button disables itself, and the key is shared.
  await page.getByRole("button", { name: "Place order" }).dblclick();

  // Confirmation, then the order moves on by itself: no reload from here on.
  await expect(page.getByText("Thank you! Your order is placed.")).toBeVisible();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}\?placed=1/);
  const orderId = /\/orders\/([0-9a-f-]{36})/.exec(page.url())![1]!;
  const status = page.getByTestId("order-status");
  // Payment is confirmed asynchronously; fulfilment starts right after, so "Paid" may be brief.
  await expect(page.getByTestId("order-timeline")).toContainText("Payment received");
  await expect(status).toHaveText(/Paid|Being prepared/);
  await expect(page.getByRole("list", { name: "Progress" }).getByText("Paid")).toHaveClass(/done|current/);
  await screenshot(page, "order-paid", { phone: true });

  // Both shops hand their parcels to the carrier (the seller journey does this in the browser).
  const labels: string[] = [];
  for (const token of [demoSeller, otherSeller]) {
    const label = await apiShippingLabel(token, orderId);
    await apiClient(token).orders.markShipped.mutate({ orderId, ...label });
    labels.push(label.trackingNumber);
  }
  await expect(status).toHaveText("Shipped");
  await expect(page.getByRole("list", { name: "Progress" }).getByText("Shipped")).toHaveClass(/current/);
  await expect(page.getByTestId("order-timeline")).toContainText("All items shipped");
  // The carrier reports progress; its events join the timeline, still without a reload.
  const timeline = page.getByTestId("order-timeline").getByRole("listitem");
  const carrierEvents = async () => (await timeline.filter({ hasText: "Lavka Demo Shop:" }).count()) + (await timeline.filter({ hasText: `Quokka Works ${RUN}:` }).count());
  const before = await carrierEvents();
  expect(await carrierAdvance(orderId)).toBe(2);
  await expect.poll(carrierEvents).toBe(before + 2);
  await expect(page.getByRole("button", { name: "Cancel this order" })).toHaveCount(0);
  await screenshot(page, "order-shipped", { phone: true });

  // The order history lists it.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Orders" }).click();
  await expect(page.getByRole("table")).toContainText("Shipped");
  await screenshot(page, "orders", { phone: true });

  // The account page shows who is signed in.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account" }).click();
  await expect(page.getByText(email).first()).toBeVisible();
  // Mail formats money and dates as the browser's language did at registration; the buyer can change that.
  const mailFormat = page.getByLabel("Prices and dates in emails");
  await expect(mailFormat).toHaveValue("de-DE");
  await screenshot(page, "account", { phone: true });
  await mailFormat.selectOption("en-GB");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("status")).toContainText("Saved");
  await expect(page.getByText(/^Your emails now write €1,234\.50 and 2 December \d{4}\.$/)).toBeVisible();
  await page.reload();
  await expect(mailFormat).toHaveValue("en-GB");

  // The idempotency key placed exactly one order.
  const buyerToken = await apiSignIn(email, PASSWORD);
  const orders = await apiClient(buyerToken).orders.list.query({ limit: 10 });
  expect(orders.items).toHaveLength(1);

  // Mail, as the local mail server (MailDev, over real SMTP) received it: the buyer's
  // confirmation, payment and one "shipped" per parcel with its tracking number, and each shop's
  // new order with only its own lines.
  const n = orders.items[0]!.number;
  const confirmation = await waitForMail(email, new RegExp(`^Order #${n} received$`));
  expect(confirmation.text).toContain(apron.title);
  expect(confirmation.text).toContain(napkins.title);
  expect(confirmation.text).toContain("44,00\u00a0€"); // de-DE, the browser's language when the order was placed
  await waitForMail(email, new RegExp(`^Payment received for order #${n}$`));
  for (const [shop, tracking] of [["Lavka Demo Shop", labels[0]!], [`Quokka Works ${RUN}`, labels[1]!]] as const) {
    expect((await waitForMail(email, new RegExp(`^Your parcel from ${shop} has shipped \\(order #${n}\\)$`))).text).toContain(`Tracking number: ${tracking}`);
  }
  const otherShopEmail = (await apiClient(otherSeller).auth.me.query()).email;
  const toShop = await waitForMail(otherShopEmail, new RegExp(`^New order #${n} for Quokka Works ${RUN} to ship$`));
  expect(toShop.text).toContain(napkins.title);
  expect(toShop.text).not.toContain(apron.title);
  await waitForMail("seller@lavka.test", new RegExp(`^New order #${n} for Lavka Demo Shop to ship$`));
  // One of each, however the events travelled.
  expect(await mailsTo(email, new RegExp(`#${n}\\b`))).toHaveLength(4);

  // The mail as a mail program shows it (its HTML part), at desktop and phone width.
  await page.setContent(confirmation.html);
  await expect(page.getByRole("heading", { name: "Thank you for your order" })).toBeVisible();
  await screenshot(page, "mail-order-received", { phone: true });
  // In the local mail server's page (npm start prints its address): open the mail, follow its button to the order.
  await page.goto(e2eSystem().mailUrl);
  await page.getByText(`Order #${n} received`).first().click();
  const shown = page.frameLocator('iframe[title="Email HTML content"]');
  await expect(shown.getByRole("heading", { name: "Thank you for your order" })).toBeVisible();
  await screenshot(page, "mail-catcher");
  const link = await shown.getByRole("link", { name: "View your order" }).getAttribute("href");
  expect(link).toBe(`${e2eSystem().webUrl}/orders/${orderId}`);
  await page.goto(link!);
  await expect(page.getByTestId("order-status")).toHaveText("Shipped");
});
