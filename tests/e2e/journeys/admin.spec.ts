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
  await expect(card.getByRole("status")).toContainText("customer-stats queued");
  const run = page.getByTestId("job-runs").getByRole("row").filter({ hasText: "customer-stats" }).filter({ hasText: "manual" }).first();
  await expect(run).toBeVisible();
  await expect(run.getByText("succeeded")).toBeVisible();
  await expect(run.getByRole("cell").nth(4)).not.toHaveText("—");
  await screenshot(page, "admin-jobs", { phone: true });

  // A job that needs parameters says which one is missing, at the field.
  const report = page.getByTestId("job-sales-report");
  await report.getByLabel("from").fill("2026-01-01");
  await report.getByRole("button", { name: "Run now" }).click();
  await expect(report.getByText(/required/).first()).toBeVisible();

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
  await currency.getByLabel("defaultCurrency").fill("euro");
  await currency.getByRole("button", { name: "Save" }).click();
  await expect(currency.getByText("must be a 3-letter ISO 4217 code")).toBeVisible();
  const threshold = page.getByRole("form", { name: "Low-stock threshold (units)" });
  await threshold.getByLabel("lowStockThreshold").fill("7");
  await threshold.getByRole("button", { name: "Save" }).click();
  await expect(threshold.getByRole("status")).toContainText("lowStockThreshold saved");
  await expect(page.getByTestId("settings-audit")).toContainText("admin@lavka.test");
  await screenshot(page, "admin-settings", { phone: true });

  // Users and roles: find the demo buyer.
  await page.getByRole("navigation", { name: "Section" }).getByRole("link", { name: "Users" }).click();
  await page.getByLabel("Email, name or shop").fill("buyer@lavka.test");
  await page.getByRole("button", { name: "Find" }).click();
  await expect(page.getByRole("table")).toContainText("Demo Buyer");
  await expect(page.getByRole("form", { name: "Role of buyer@lavka.test" }).getByLabel("Role")).toHaveValue("buyer");
  await screenshot(page, "admin-users", { phone: true });
});
