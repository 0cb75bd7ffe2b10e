import { formatAmount, MONEY_LIMITS, unitPriceProblem } from "~/core/money";

/**
 * The money limits of src/core/money.ts applied to a cart. The cart page's blockers and
 * checkout's refusal both come from `moneyProblems`, so "can check out" and what checkout
 * accepts always agree. Sums are plain numbers and exact: see src/core/money.ts.
 */
export interface PricedLine {
  productId: string;
  title: string;
  currency: string;
  unitPriceMinor: number;
  quantity: number;
}

const lineLimit = (currency: string) => `one line may total at most ${formatAmount(MONEY_LIMITS.lineTotalMinor, currency)}`;
const orderLimit = (currency: string) => `one order may total at most ${formatAmount(MONEY_LIMITS.orderTotalMinor, currency)}`;

function totalsByCurrency(lines: PricedLine[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const l of lines) totals.set(l.currency, (totals.get(l.currency) ?? 0) + l.unitPriceMinor * l.quantity);
  return totals;
}

/** Why these lines (the ones on sale) cannot be one order each per currency, in words a buyer can act on. */
export function moneyProblems(lines: PricedLine[]): string[] {
  const problems: string[] = [];
  for (const l of lines) {
    // Only a product priced before free products were refused at save can get here.
    if (unitPriceProblem(l.unitPriceMinor, l.currency)) problems.push(`"${l.title}" has no valid price and cannot be bought; remove it.`);
    const total = l.unitPriceMinor * l.quantity;
    if (total > MONEY_LIMITS.lineTotalMinor) {
      problems.push(`"${l.title}" comes to ${formatAmount(total, l.currency)}, but ${lineLimit(l.currency)}; lower the quantity.`);
    }
  }
  for (const [currency, total] of totalsByCurrency(lines)) {
    if (total > MONEY_LIMITS.orderTotalMinor) {
      problems.push(`The ${currency} total is ${formatAmount(total, currency)}, but ${orderLimit(currency)}; remove items or check out in several orders.`);
    }
  }
  return problems;
}

/**
 * Why setting one product's line to `quantity` would pass a limit (the quantity's problem), or
 * null. `lines` are the cart's lines on sale, `line` the product's (with its price).
 */
export function quantityProblem(lines: PricedLine[], line: PricedLine, quantity: number): string | null {
  const total = line.unitPriceMinor * quantity;
  if (total > MONEY_LIMITS.lineTotalMinor) {
    return `${quantity} x "${line.title}" would come to ${formatAmount(total, line.currency)}, but ${lineLimit(line.currency)}.`;
  }
  const after = [...lines.filter((l) => l.productId !== line.productId), { ...line, quantity }];
  const orderTotal = totalsByCurrency(after).get(line.currency) ?? 0;
  if (orderTotal > MONEY_LIMITS.orderTotalMinor) {
    return `the cart's ${line.currency} total would be ${formatAmount(orderTotal, line.currency)}, but ${orderLimit(line.currency)}.`;
  }
  return null;
}
