import { describe, expect, it } from "vitest";
import { isProxyablePath } from "./proxy-paths";

describe("isProxyablePath", () => {
  it("lets ordinary procedures and batches through", () => {
    expect(isProxyablePath("catalog.list")).toBe(true);
    expect(isProxyablePath("orders.get,cart.view")).toBe(true);
    expect(isProxyablePath("auth.me")).toBe(true);
  });

  it("keeps token-issuing calls server-side, even inside a batch", () => {
    expect(isProxyablePath("auth.login")).toBe(false);
    expect(isProxyablePath("cart.view,auth.register")).toBe(false);
    expect(isProxyablePath("auth.changePassword")).toBe(false);
  });

  it("refuses paths that are not procedure names", () => {
    expect(isProxyablePath("../admin")).toBe(false);
    expect(isProxyablePath("")).toBe(false);
  });
});
