import { describe, expect, it } from "vitest";
import { formattingLocale, localeFromAcceptLanguage, localeInput, normalizeLocale } from "./locale";

describe("locales", () => {
  it("takes the browser's most preferred language it can format for", () => {
    expect(localeFromAcceptLanguage("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7")).toBe("ru-RU");
    expect(localeFromAcceptLanguage("en;q=0.5, de-de")).toBe("de-DE");
    expect(localeFromAcceptLanguage("*;q=1, fr;q=0.4")).toBe("fr");
    expect(localeFromAcceptLanguage("x-klingon-$$$, en-GB;q=0.1")).toBe("en-GB");
    expect(localeFromAcceptLanguage("")).toBeNull();
    expect(localeFromAcceptLanguage(undefined)).toBeNull();
    expect(localeFromAcceptLanguage("de;q=0")).toBeNull();
  });

  it("canonicalises tags and refuses what Intl cannot use", () => {
    expect(normalizeLocale("EN-gb")).toBe("en-GB");
    expect(normalizeLocale("not a locale")).toBeNull();
    expect(formattingLocale("not a locale")).toBe("en");
    expect(formattingLocale(null)).toBe("en");
    expect(localeInput.parse(" ru-ru ")).toBe("ru-RU");
    expect(localeInput.safeParse("english please").error?.issues[0]?.message).toBe("must be a language tag such as en-GB, de-DE or ru-RU");
  });
});
