import { html, type SafeHtml } from "./html";

/**
 * A mail as templates describe it: a few kinds of blocks. One renderer turns it into the HTML
 * part and another into the plain-text part, so both parts always say the same thing and every
 * value is escaped in one place.
 */
export type MailBlock =
  | { kind: "paragraph"; text: string }
  | { kind: "facts"; rows: ReadonlyArray<readonly [label: string, value: string]> }
  | {
      kind: "items";
      lines: ReadonlyArray<{ title: string; detail: string; amount: string }>;
      totals: ReadonlyArray<readonly [label: string, amount: string]>;
    }
  | { kind: "address"; title: string; lines: readonly string[] };

export interface MailDocument {
  subject: string;
  /** The line mail clients show beside the subject (hidden in the HTML part's body). */
  preheader: string;
  heading: string;
  blocks: readonly MailBlock[];
  action: { label: string; url: string };
  /** Who the mail is from, in the closing line and the footer: the marketplace or a shop. */
  signature: string;
  /** Why the reader gets this mail (footer). */
  reason: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const FONT = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
const MUTED = "color:#5b6470";

function blockHtml(block: MailBlock): SafeHtml {
  switch (block.kind) {
    case "paragraph":
      return html`<p style="margin:0 0 16px;line-height:1.5">${block.text}</p>`;
    case "facts":
      return html`<table role="presentation" style="border-collapse:collapse;margin:0 0 16px">${block.rows.map(
        ([label, value]) => html`<tr><td style="padding:2px 16px 2px 0;${MUTED}">${label}</td><td style="padding:2px 0;font-weight:600">${value}</td></tr>`,
      )}</table>`;
    case "items":
      return html`<table role="presentation" style="border-collapse:collapse;width:100%;margin:0 0 16px">${block.lines.map(
        (line) =>
          html`<tr><td style="padding:8px 0;border-bottom:1px solid #e3e6ea">${line.title}<br><span style="font-size:13px;${MUTED}">${line.detail}</span></td><td style="padding:8px 0;border-bottom:1px solid #e3e6ea;text-align:right;white-space:nowrap">${line.amount}</td></tr>`,
      )}${block.totals.map(
        ([label, amount], i) =>
          html`<tr><td style="padding:4px 0;${i === block.totals.length - 1 ? "font-weight:700" : MUTED}">${label}</td><td style="padding:4px 0;text-align:right;white-space:nowrap;${i === block.totals.length - 1 ? "font-weight:700" : ""}">${amount}</td></tr>`,
      )}</table>`;
    case "address":
      return html`<p style="margin:0 0 16px;line-height:1.5"><span style="${MUTED}">${block.title}</span><br>${block.lines.map((line, i) => html`${i > 0 ? html`<br>` : ""}${line}`)}</p>`;
  }
}

// The words are English in every mail today; the reader's locale formats money, dates and countries.
export function renderHtml(doc: MailDocument): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${doc.subject}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7;${FONT};color:#1d2127">
<div style="display:none;max-height:0;overflow:hidden">${doc.preheader}</div>
<table role="presentation" width="100%" style="border-collapse:collapse;background:#f4f5f7"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" style="border-collapse:collapse;max-width:560px;background:#ffffff;border-radius:8px"><tr><td style="padding:28px 28px 12px">
<p style="margin:0 0 20px;font-size:14px;font-weight:700;letter-spacing:.02em;${MUTED}">${doc.signature}</p>
<h1 style="margin:0 0 16px;font-size:22px;line-height:1.3">${doc.heading}</h1>
${doc.blocks.map(blockHtml)}
<p style="margin:8px 0 24px"><a href="${doc.action.url}" style="display:inline-block;padding:12px 20px;border-radius:6px;background:#1f5f8b;color:#ffffff;text-decoration:none;font-weight:600">${doc.action.label}</a></p>
</td></tr></table>
<p style="max-width:560px;margin:16px auto 0;font-size:12px;line-height:1.5;${MUTED}">${doc.reason}</p>
</td></tr></table>
</body></html>
`.value;
}

function blockText(block: MailBlock): string {
  switch (block.kind) {
    case "paragraph":
      return block.text;
    case "facts":
      return block.rows.map(([label, value]) => `${label}: ${value}`).join("\n");
    case "items":
      return [
        ...block.lines.map((line) => `- ${line.title}\n  ${line.detail}: ${line.amount}`),
        "",
        ...block.totals.map(([label, amount]) => `${label}: ${amount}`),
      ].join("\n");
    case "address":
      return [`${block.title}:`, ...block.lines.map((line) => `  ${line}`)].join("\n");
  }
}

export function renderText(doc: MailDocument): string {
  return [doc.heading, ...doc.blocks.map(blockText), `${doc.action.label}: ${doc.action.url}`, `-- \n${doc.signature}\n${doc.reason}`].join("\n\n") + "\n";
}

export function renderMail(doc: MailDocument): RenderedMail {
  return { subject: doc.subject, text: renderText(doc), html: renderHtml(doc) };
}
