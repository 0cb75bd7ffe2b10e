export const PERIODS = [
  { days: 7, label: "7 days" },
  { days: 30, label: "30 days" },
  { days: 90, label: "90 days" },
] as const;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The last `days` days ending with the current hour (so a sale the hourly job has just counted
 * shows up); the API compares them with the same length before.
 */
export function periodEndingNow(days: number, now = new Date()): { from: Date; to: Date } {
  const to = new Date(Math.ceil((now.getTime() + 1) / HOUR) * HOUR);
  return { from: new Date(to.getTime() - days * DAY), to };
}

/**
 * The days a dashboard chart plots: the last `days` complete UTC days and, for comparison, the
 * `days` before them. Today is still going: `current` runs through it so the page can say how it
 * is going, but it is not a point on the chart (a day that has just begun would plot as a drop).
 */
export function chartDays(days: number, now = new Date()): { current: { from: Date; to: Date }; previous: { from: Date; to: Date }; today: Date } {
  const today = new Date(Math.floor(now.getTime() / DAY) * DAY);
  const from = new Date(today.getTime() - days * DAY);
  return {
    current: { from, to: new Date(today.getTime() + DAY) },
    previous: { from: new Date(from.getTime() - days * DAY), to: from },
    today,
  };
}

export function parseDays(value: string | undefined): number {
  const n = Number(value);
  return PERIODS.some((p) => p.days === n) ? n : 30;
}
