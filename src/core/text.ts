import { z } from "zod";

/**
 * The one set of zod builders for free text that reaches the database or an external service.
 * PostgreSQL refuses NUL in text and JSON (a 500 if it gets that far), other services answer such
 * input with their own 500s, and control characters or broken UTF-16 have no place in a title or
 * a name anyway. So every string input refuses:
 * - C0 controls (U+0000-U+001F) and DEL; multi-line fields keep \n, \r\n and \t;
 * - C1 controls (U+0080-U+009F);
 * - lone surrogates (half of a UTF-16 pair: not a character, and not encodable as UTF-8).
 * Each with a message a person can act on; the error formatter puts the field's name in front.
 */

const CONTROL_CHARACTERS_MESSAGE = "must not contain control characters";
const MULTI_LINE_CONTROL_CHARACTERS_MESSAGE = "must not contain control characters (line breaks and tabs are fine)";
const BROKEN_CHARACTER_MESSAGE = "must not contain broken characters (half of a UTF-16 surrogate pair); retype or paste the text again";

// \p{Cc} is exactly C0, DEL and C1. With the u flag a proper surrogate pair is one code point,
// so \p{Cs} only meets a lone half.
const ANY_CONTROL = /\p{Cc}/u;
const CONTROL_EXCEPT_LINE_BREAKS_AND_TABS = /(?!\r\n|\n|\t)\p{Cc}/u;
const LONE_SURROGATE = /\p{Cs}/u;

/** True when `text` holds a control character (line breaks and tabs allowed when `multiLine`). */
export function hasControlCharacters(text: string, options: { multiLine?: boolean } = {}): boolean {
  return (options.multiLine ? CONTROL_EXCEPT_LINE_BREAKS_AND_TABS : ANY_CONTROL).test(text);
}

/** True when `text` holds half of a UTF-16 surrogate pair. */
function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/**
 * Whether `text` can be stored or sent at all: no NUL (PostgreSQL refuses it in text and JSON)
 * and no lone surrogate (no UTF-8 encoding exists). The HTTP clients check this as a last guard.
 */
export function isStorableText(text: string): boolean {
  return !text.includes("\u0000") && !hasLoneSurrogate(text);
}

export interface TextOptions {
  /** Upper bound in UTF-16 code units; every field has one. */
  max: number;
  min?: number;
  /** Trim surrounding whitespace first (default true); false for passwords, which are taken as typed. */
  trim?: boolean;
}

function text(options: TextOptions, multiLine: boolean) {
  let schema = z.string();
  if (options.trim !== false) schema = schema.trim();
  if (options.min !== undefined) schema = schema.min(options.min);
  return schema
    .max(options.max)
    .refine((s) => !hasControlCharacters(s, { multiLine }), multiLine ? MULTI_LINE_CONTROL_CHARACTERS_MESSAGE : CONTROL_CHARACTERS_MESSAGE)
    .refine((s) => !hasLoneSurrogate(s), BROKEN_CHARACTER_MESSAGE);
}

/** A name, title, id or reason: one line, no tabs. */
export function singleLineText(options: TextOptions) {
  return text(options, false);
}

/** A description or note: line breaks (\n, \r\n) and tabs allowed, other controls refused. */
export function multiLineText(options: TextOptions) {
  return text(options, true);
}

/** Search text as typed in a search box (trimmed, up to 200 characters). */
export const searchText = singleLineText({ max: 200 });

/** An opaque pagination cursor as a list returned it (the list decodes and checks its content). */
export const cursorText = singleLineText({ max: 512 });
