import { describe, expect, it } from "vitest";
import { isHttpsRequest, isSameOriginRequest, safeNextPath } from "./origin";

describe("isSameOriginRequest", () => {
  it("trusts the browser's Sec-Fetch-Site when present", () => {
    expect(isSameOriginRequest(new Headers({ "sec-fetch-site": "same-origin" }))).toBe(true);
    expect(isSameOriginRequest(new Headers({ "sec-fetch-site": "same-site", origin: "http://shop.test", host: "shop.test" }))).toBe(false);
    expect(isSameOriginRequest(new Headers({ "sec-fetch-site": "cross-site" }))).toBe(false);
  });

  it("falls back to comparing Origin with the host", () => {
    expect(isSameOriginRequest(new Headers({ origin: "http://shop.test:3000", host: "shop.test:3000" }))).toBe(true);
    expect(isSameOriginRequest(new Headers({ origin: "https://shop.test", "x-forwarded-host": "shop.test", host: "web:3000" }))).toBe(true);
    expect(isSameOriginRequest(new Headers({ origin: "https://evil.test", host: "shop.test" }))).toBe(false);
  });

  it("refuses a request that says nothing about where it came from", () => {
    expect(isSameOriginRequest(new Headers({ host: "shop.test" }))).toBe(false);
    expect(isSameOriginRequest(new Headers({ origin: "null", host: "shop.test" }))).toBe(false);
  });
});

describe("isHttpsRequest", () => {
  it("reads the proxy's forwarded protocol first", () => {
    expect(isHttpsRequest(new Headers({ "x-forwarded-proto": "https" }))).toBe(true);
    expect(isHttpsRequest(new Headers({ "x-forwarded-proto": "http", origin: "https://x" }))).toBe(false);
    expect(isHttpsRequest(new Headers({ origin: "https://shop.test" }))).toBe(true);
    expect(isHttpsRequest(new Headers({}))).toBe(false);
  });
});

describe("safeNextPath", () => {
  it("keeps paths on this site", () => {
    expect(safeNextPath("/orders/1?placed=1", "/")).toBe("/orders/1?placed=1");
    expect(safeNextPath(null, "/catalog")).toBe("/catalog");
  });

  it("refuses other sites and anything with a control character", () => {
    for (const next of ["https://evil.test", "//evil.test", "/\\evil.test", "/a\r\nSet-Cookie: x=1", "/a\u0000", "/a\u0085", "/a\tb"]) {
      expect(safeNextPath(next, "/"), JSON.stringify(next)).toBe("/");
    }
  });
});
