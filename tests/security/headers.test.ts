// The web's security headers as configured (next.config.ts headers()); tests/e2e/security.spec.ts
// checks them on real responses of the built app, and that pages load without CSP violations.
import { describe, expect, it } from "vitest";
import config, { contentSecurityPolicy } from "../../next.config.ts";

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
}

describe("web security headers", () => {
  it("apply to every path", async () => {
    const rules = await config.headers!();
    expect(rules).toHaveLength(1);
    expect(rules[0]!.source).toBe("/:path*");
    const headers = new Map(rules[0]!.headers.map((h) => [h.key.toLowerCase(), h.value]));
    expect(headers.get("x-frame-options")).toBe("DENY");
    expect(headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(headers.get("x-content-type-options")).toBe("nosniff");
    expect(headers.get("permissions-policy")).toMatch(/camera=\(\)/);
    expect(headers.get("content-security-policy")).toBe(contentSecurityPolicy);
  });

  it("CSP: everything 'self', no framing, no plugins, pinned forms and base; inline scripts only (Next's payload)", () => {
    const d = directives(contentSecurityPolicy);
    expect(d.get("default-src")).toEqual(["'self'"]);
    expect(d.get("frame-ancestors")).toEqual(["'none'"]);
    expect(d.get("object-src")).toEqual(["'none'"]);
    expect(d.get("base-uri")).toEqual(["'self'"]);
    expect(d.get("form-action")).toEqual(["'self'"]);
    expect(d.get("connect-src")).toEqual(["'self'"]);
    // No remote script origins, no eval outside development.
    expect(d.get("script-src")).toEqual(["'self'", "'unsafe-inline'"]);
  });
});
