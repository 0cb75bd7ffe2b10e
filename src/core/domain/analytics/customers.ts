// Customer statistics, recomputed from the orders in one transaction: cohorts by first-purchase
// month with repeat rates, and RFM segments per seller. Same "counted order" rule as sales.
import type { Db } from "~/lib/db";
import { withAdvisoryLock } from "./lock";
import { countedOrder } from "./sales";

export const CUSTOMER_STATS_LOCK = "customer-stats";

export const RFM_SEGMENTS = ["champions", "loyal", "new", "potential", "at_risk", "hibernating", "lost"] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];

/** Segment from 1-5 scores (5 = most recent / most frequent); the order of the tests matters. */
export function rfmSegment(recency: number, frequency: number, orders: number): RfmSegment {
  if (recency >= 4 && frequency >= 4) return "champions";
  if (frequency >= 4 || (recency >= 3 && frequency >= 3)) return "loyal";
  if (recency >= 4 && orders === 1) return "new";
  if (recency >= 3) return "potential";
  if (frequency >= 3) return "at_risk";
  return recency === 2 ? "hibernating" : "lost";
}

const SEGMENT_SQL = `CASE
  WHEN r >= 4 AND f >= 4 THEN 'champions'
  WHEN f >= 4 OR (r >= 3 AND f >= 3) THEN 'loyal'
  WHEN r >= 4 AND orders = 1 THEN 'new'
  WHEN r >= 3 THEN 'potential'
  WHEN f >= 3 THEN 'at_risk'
  WHEN r = 2 THEN 'hibernating'
  ELSE 'lost' END`;

export interface CustomerStatsResult {
  skipped: boolean;
  cohortRows: number;
  rfmRows: number;
}

export async function computeCustomerStats(db: Db, options: { now: Date; signal?: AbortSignal }): Promise<CustomerStatsResult> {
  const now = options.now.toISOString();
  const locked = await withAdvisoryLock(db, CUSTOMER_STATS_LOCK, async (tx) => {
    await tx.$executeRawUnsafe(`DELETE FROM "CustomerCohort"`);
    // Months as integers (year * 12 + month - 1) keep the offset arithmetic exact.
    const cohortRows = await tx.$executeRawUnsafe(
      `WITH o AS (
         SELECT "buyerId" AS b,
                (date_part('year', "placedAt" AT TIME ZONE 'UTC') * 12 + date_part('month', "placedAt" AT TIME ZONE 'UTC') - 1)::int AS m,
                row_number() OVER (PARTITION BY "buyerId" ORDER BY "placedAt", id) AS n
         FROM "Order" o WHERE ${countedOrder("o")} AND "placedAt" <= $1::timestamptz
       ),
       f AS (SELECT b, min(m) FILTER (WHERE n = 1) AS cohort, min(m) FILTER (WHERE n = 2) AS second FROM o GROUP BY b),
       sizes AS (SELECT cohort, count(*)::int AS size FROM f GROUP BY cohort),
       current AS (SELECT (date_part('year', $1::timestamptz AT TIME ZONE 'UTC') * 12 + date_part('month', $1::timestamptz AT TIME ZONE 'UTC') - 1)::int AS m),
       grid AS (SELECT s.cohort, s.size, k FROM sizes s, current c, generate_series(0, c.m - s.cohort) AS k),
       act AS (SELECT f.cohort, o.m - f.cohort AS k, count(DISTINCT o.b)::int AS active, count(*)::int AS orders
               FROM o JOIN f USING (b) GROUP BY 1, 2),
       rep AS (SELECT cohort, second - cohort AS k, count(*)::int AS repeaters FROM f WHERE second IS NOT NULL GROUP BY 1, 2)
       INSERT INTO "CustomerCohort" ("cohortMonth", "monthOffset", "cohortSize", "activeBuyers", "repeatBuyers", orders, "computedAt")
       SELECT make_date(g.cohort / 12, g.cohort % 12 + 1, 1), g.k, g.size, COALESCE(a.active, 0),
              (SELECT COALESCE(sum(r.repeaters), 0)::int FROM rep r WHERE r.cohort = g.cohort AND r.k <= g.k),
              COALESCE(a.orders, 0), $1::timestamptz
       FROM grid g LEFT JOIN act a ON a.cohort = g.cohort AND a.k = g.k`,
      now,
    );
    options.signal?.throwIfAborted();
    await tx.$executeRawUnsafe(`DELETE FROM "CustomerRfm"`);
    // Scores are quintiles of percent_rank within the seller: ties share the lower score, so the
    // many one-order buyers all get frequency 1 rather than being split arbitrarily.
    const rfmRows = await tx.$executeRawUnsafe(
      `WITH s AS (
         SELECT l."sellerId" AS seller, l.currency, o."buyerId" AS buyer, max(o."placedAt") AS last,
                count(DISTINCT o.id)::int AS orders, sum(l."lineTotalMinor")::bigint AS monetary
         FROM "OrderLine" l JOIN "Order" o ON o.id = l."orderId"
         WHERE ${countedOrder("o")} AND o."placedAt" <= $1::timestamptz
         GROUP BY 1, 2, 3
       ),
       scored AS (
         SELECT *, least(5, 1 + floor(5 * percent_rank() OVER (PARTITION BY seller, currency ORDER BY last)))::int AS r,
                   least(5, 1 + floor(5 * percent_rank() OVER (PARTITION BY seller, currency ORDER BY orders)))::int AS f,
                   least(5, 1 + floor(5 * percent_rank() OVER (PARTITION BY seller, currency ORDER BY monetary)))::int AS m
         FROM s
       )
       INSERT INTO "CustomerRfm" ("sellerId", "buyerId", currency, "lastOrderAt", orders, "monetaryMinor", recency, frequency,
                                  monetary, segment, "computedAt")
       SELECT seller, buyer, currency, last, orders, monetary, r, f, m, ${SEGMENT_SQL}, $1::timestamptz FROM scored`,
      now,
    );
    return { skipped: false, cohortRows, rfmRows };
  });
  return locked.acquired ? locked.value : { skipped: true, cohortRows: 0, rfmRows: 0 };
}

export interface MonthlyBuyers {
  month: string;
  newBuyers: number;
  returningBuyers: number;
}

/** New versus returning buyers per calendar month, read from the cohort table. */
export async function newVsReturningByMonth(db: Db): Promise<MonthlyBuyers[]> {
  const rows = await db.$queryRawUnsafe<{ month: Date; new_buyers: number; returning_buyers: number }[]>(
    `SELECT ("cohortMonth" + make_interval(months => "monthOffset"))::date AS month,
            sum("activeBuyers") FILTER (WHERE "monthOffset" = 0)::int AS new_buyers,
            COALESCE(sum("activeBuyers") FILTER (WHERE "monthOffset" > 0), 0)::int AS returning_buyers
     FROM "CustomerCohort" GROUP BY 1 ORDER BY 1`,
  );
  return rows.map((r) => ({ month: r.month.toISOString().slice(0, 7), newBuyers: r.new_buyers ?? 0, returningBuyers: r.returning_buyers }));
}
