import type { z } from "zod";

type Issue = z.core.$ZodRawIssue;

const FORMATS: Record<string, string> = {
  email: "must be an email address",
  uuid: "is not an id Lavka gave out",
  url: "must be a web address",
  datetime: "must be a date and time",
  date: "must be a date (YYYY-MM-DD)",
};

const TYPES: Record<string, string> = {
  number: "must be a number",
  int: "must be a whole number",
  string: "must be text",
  boolean: "must be yes or no",
  array: "must be a list",
  object: "must be a set of fields",
  date: "must be a date",
};

function quoted(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === "string" ? v : String(v))).join(", ");
}

/**
 * Zod's own messages in words for the people who read them (shoppers, sellers, operators and
 * API users alike): "must be at least 0" rather than "Too small: expected number to be >=0".
 * Messages a schema spells out itself win over these; undefined leaves zod's.
 * Install with `z.config({ customError: plainValidationMessage })`.
 */
export function plainValidationMessage(issue: Issue): string | undefined {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "required";
      return TYPES[issue.expected] ?? undefined;
    case "too_small": {
      const min = String(issue.minimum);
      if (issue.origin === "string") return issue.minimum === 1 ? "must not be empty" : `must be at least ${min} characters`;
      if (issue.origin === "array" || issue.origin === "set") return issue.minimum === 1 ? "must have at least one entry" : `must have at least ${min} entries`;
      if (issue.origin === "number" || issue.origin === "int" || issue.origin === "bigint") return issue.inclusive ? `must be at least ${min}` : `must be more than ${min}`;
      return undefined;
    }
    case "too_big": {
      const max = String(issue.maximum);
      if (issue.origin === "string") return `must be at most ${max} characters`;
      if (issue.origin === "array" || issue.origin === "set") return `must have at most ${max} entries`;
      if (issue.origin === "number" || issue.origin === "int" || issue.origin === "bigint") return issue.inclusive ? `must be at most ${max}` : `must be less than ${max}`;
      return undefined;
    }
    case "invalid_format":
      return FORMATS[issue.format] ?? "is not in the expected form";
    case "invalid_value":
      return issue.values.length === 1 ? `must be ${quoted(issue.values)}` : `must be one of: ${quoted(issue.values)}`;
    case "not_multiple_of":
      return `must be a multiple of ${String(issue.divisor)}`;
    default:
      return undefined;
  }
}
