export const PERIODS = [
  { days: 7, label: "7 days" },
  { days: 30, label: "30 days" },
  { days: 90, label: "90 days" },
] as const;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The last `days` days ending with the current hour (so a sale the hourly job has just counted
 * shows up), and the same-length period before it, for comparison.
 */
export function periodEndingNow(days: number, now = new Date()): { from: Date; to: Date; previousFrom: Date } {
  const to = new Date(Math.ceil((now.getTime() + 1) / HOUR) * HOUR);
  const from = new Date(to.getTime() - days * DAY);
  return { from, to, previousFrom: new Date(from.getTime() - days * DAY) };
}

/** Daily series need whole UTC days: the days overlapping [from, to). */
export function wholeDays(from: Date, to: Date): { from: Date; to: Date } {
  return { from: new Date(Math.floor(from.getTime() / DAY) * DAY), to: new Date(Math.ceil(to.getTime() / DAY) * DAY) };
}

export function parseDays(value: string | undefined): number {
  const n = Number(value);
  return PERIODS.some((p) => p.days === n) ? n : 30;
}
