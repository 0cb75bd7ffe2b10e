import { expect, test } from "@playwright/test";
import { LOCAL_SECRETS } from "../../../scripts/local/system.ts";
import { LONG_TEST_BUDGET_MS } from "../../helpers/wait.ts";
import { DEMO_PASSWORD, screenshot, signInThroughPage } from "./helpers.ts";

test("an admin triggers a job, watches its run finish, and checks health, configuration, dead letters and settings", async ({ page }) => {
  test.setTimeout(LONG_TEST_BUDGET_MS);
  await signInThroughPage(page, "admin@lavka.test", DEMO_PASSWORD);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Operations" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Operations" })).toBeVisible();
  await screenshot(page, "admin-overview", { phone: true });

  // Run a job now and watch its run appear and finish, without reloading.
  await page.getByRole("navigation", { name: "Section" }).getByRole("link", { name: "Jobs" }).click();
  const card = page.getByTestId("job-customer-stats");
  await card.getByRole("button", { name: "Run now" }).click();
  await expect(card.getByRole("status")).toContainText("Queued");
  const run = page.getByTestId("job-runs").getByRole("row").filter({ hasText: "Customer statistics" }).filter({ hasText: "Run now" }).first();
  await expect(run).toBeVisible();
  await expect(run.getByText("Succeeded")).toBeVisible();
  await expect(run.getByRole("cell").nth(4)).not.toHaveText("—");
  await screenshot(page, "admin-jobs", { phone: true });

  // A job that needs parameters says which one is missing, by its label; the shop is picked from a list.
  const report = page.getByTestId("job-sales-report");
  await report.getByLabel("First day").fill("2026-01-01");
  await report.getByRole("button", { name: "Run now" }).click();
  await expect(report.getByRole("alert")).toHaveText("Shop: required");
  await expect(report.locator(".field.invalid")).toContainText("Shop");
  await report.getByRole("combobox", { name: "Shop" }).selectOption({ label: "Lavka Demo Shop (seller@lavka.test)" });
  await report.getByRole("button", { name: "Run now" }).click();
  await expect(report.getByRole("alert")).toHaveText("Last day: required");
  await report.getByLabel("Last day").fill("2026-01-31");
  await report.getByRole("button", { name: "Run now" }).click();
  await expect(report.getByRole("status")).toContainText("Queued");
  // The run names the shop and the days, not an id.
  const reportRun = page.getByTestId("job-runs").getByRole("row").filter({ hasText: "Sales report for one shop" }).first();
  await expect(reportRun).toContainText("Shop: Lavka Demo Shop · First day: Jan 1, 2026 · Last day: Jan 31, 2026");
  await expect(page.getByTestId("job-runs")).not.toContainText(/[0-9a-f]{8}-[0-9a-f]{4}-/);

  // Dependencies, masked configuration, dead letters.
  await page.getByRole("navigation", { name: "Section" }).getByRole("link", { name: "Health" }).click();
  await expect(page.getByRole("row", { name: /Database/ })).toContainText("Up");
  await screenshot(page, "admin-health", { phone: true });
  await page.getByRole("navigation", { name: "Section" }).getByRole("link", { name: "Configuration" }).click();
  await expect(page.getByRole("table")).toBeVisible();
  await expect(page.getByRole("table")).not.toContainText(LOCAL_SECRETS.serviceToken);
  await screenshot(page, "admin-config", { phone: true });
  await page.getByRole("navigation", { name: "Section" }).getByRole("link", { name: "Dead letters" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Dead letters" })).toBeVisible();
  await screenshot(page, "admin-dead-letters", { phone: true });

  // Change a runtime setting: a bad value is refused at the field, a good one is audited.
  await page.getByRole("navigation", { name: "Section" }).getByRole("link", { name: "Settings" }).click();
  const currency = page.getByRole("form", { name: "Default currency" });
  await currency.getByRole("textbox", { name: "Default currency" }).fill("euro");
  await currency.getByRole("button", { name: "Save" }).click();
  await expect(currency.getByRole("alert")).toHaveText("Please correct the highlighted fields.");
  await expect(currency.locator(".field-error")).toHaveText("must be a three-letter currency code in capitals, such as EUR");
  const threshold = page.getByRole("form", { name: "Low-stock threshold (units)" });
  const thresholdField = threshold.getByRole("spinbutton", { name: "Low-stock threshold (units)" });
  await thresholdField.fill("-1");
  await threshold.getByRole("button", { name: "Save" }).click();
  // Words for the person, at the field with its label: no key, no "Too small: expected number to be >=0".
  await expect(threshold.getByRole("alert")).toHaveText("Please correct the highlighted fields.");
  await expect(threshold.locator(".field-error")).toHaveText("must be at least 0");
  await expect(threshold.locator(".field.invalid label")).toHaveText("Low-stock threshold (units) *");
  await thresholdField.fill("7");
  await threshold.getByRole("button", { name: "Save" }).click();
  await expect(threshold.getByRole("status")).toContainText("Low-stock threshold (units) saved");
  await expect(page.getByTestId("settings-audit")).toContainText("admin@lavka.test");
  await expect(page.getByTestId("settings-audit").getByRole("row").nth(1)).toContainText("Low-stock threshold (units)");
  await screenshot(page, "admin-settings", { phone: true });

  // Users and roles: find the demo buyer.
  await page.getByRole("navigation", { name: "Section" }).getByRole("link", { name: "Users" }).click();
  await page.getByLabel("Email, name or shop").fill("buyer@lavka.test");
  await page.getByRole("button", { name: "Find" }).click();
  await expect(page.getByRole("table")).toContainText("Demo Buyer");
  await expect(page.getByRole("form", { name: "Role of buyer@lavka.test" }).getByLabel("Role")).toHaveValue("buyer");
  await screenshot(page, "admin-users", { phone: true });
});

test("an administrator without a shop sees what to do on the seller pages, not an error", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  await signInThroughPage(page, "admin@lavka.test", DEMO_PASSWORD);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Seller" }).click();
  for (const path of ["/seller", "/seller/products", "/seller/orders", "/seller/forecast", "/seller/reports"]) {
    if (path !== "/seller") await page.goto(path);
    await expect(page.getByRole("heading", { level: 1, name: "Seller workspace" })).toBeVisible();
    await expect(page.getByTestId("no-shop")).toContainText("Your administrator account has no shop of its own");
    await expect(page.getByRole("heading", { name: "Something went wrong" })).toHaveCount(0);
  }
  await screenshot(page, "admin-no-shop", { phone: true });
  await expect(page.getByRole("link", { name: "Go to Operations" })).toHaveAttribute("href", "/admin");
  await page.getByRole("link", { name: "Open a shop" }).click();
  await expect(page.getByRole("heading", { name: "Sell on Lavka" })).toBeVisible();
  expect(errors).toEqual([]);
});
