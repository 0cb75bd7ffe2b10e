import type { Metadata } from "next";
import Link from "next/link";
import { minorUnitDigits } from "~/core/money";
import { api } from "~/web/trpc/server";
import { BarChart, LineChart } from "~/web/components/charts";
import { EmptyState } from "~/web/components/states";
import { date, money } from "~/web/format";
import { PERIODS, parseDays, periodEndingNow, wholeDays } from "~/web/period";
import { SellerNav } from "~/web/seller-nav";
import { requireViewer } from "~/web/viewer";

export const metadata: Metadata = { title: "Sales dashboard" };
export const dynamic = "force-dynamic";

function Change({ value }: { value: number | null }) {
  if (value === null) return <span className="small muted">no earlier sales to compare</span>;
  const pct = Math.round(value * 1000) / 10;
  return (
    <span className={`delta ${pct >= 0 ? "up" : "down"}`}>
      {pct >= 0 ? "▲" : "▼"} {Math.abs(pct)}% vs previous period
    </span>
  );
}

export default async function SellerDashboard({ searchParams }: { searchParams: Promise<{ days?: string }> }) {
  const viewer = await requireViewer("/seller", "seller");
  const days = parseDays((await searchParams).days);
  const { from, to, previousFrom } = periodEndingNow(days);
  const client = await api();
  const current = wholeDays(from, to);
  const previous = wholeDays(previousFrom, from);
  const [summary, series, previousSeries, top] = await Promise.all([
    client.stats.summary.query({ from, to }),
    client.stats.timeseries.query({ ...current, granularity: "day" }),
    client.stats.timeseries.query({ ...previous, granularity: "day" }),
    client.stats.topProducts.query({ from, to, limit: 8 }),
  ]);
  // The shop's main currency: the one with the most revenue this period.
  const main = [...summary.currencies].sort((a, b) => b.current.revenueMinor - a.current.revenueMinor)[0];
  const currency = main?.currency ?? "EUR";
  const points = series.series.find((s) => s.currency === currency)?.points ?? [];
  const before = previousSeries.series.find((s) => s.currency === currency)?.points ?? [];
  const labels = points.map((p) => date(p.bucket));
  const fmt = (v: number) => money(v, currency);
  const short = (v: number) => new Intl.NumberFormat("en", { notation: "compact", style: "currency", currency }).format(v / 10 ** minorUnitDigits(currency));
  const topItems = top.items.filter((t) => t.currency === currency);

  return (
    <main id="main">
      <SellerNav current="/seller" />
      <div className="page-head">
        <h1>{viewer.seller?.shopName ?? "Your shop"}: sales</h1>
        <nav aria-label="Period">
          <ul className="subnav" style={{ margin: 0 }}>
            {PERIODS.map((p) => (
              <li key={p.days}>
                <Link href={`/seller?days=${p.days}`} aria-current={p.days === days ? "page" : undefined}>
                  {p.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </div>
      <p className="small muted">
        {date(summary.period.from)} – {date(summary.period.to)}, compared with {date(summary.previousPeriod.from)} – {date(summary.previousPeriod.to)}. Figures are
        updated hourly.
      </p>
      {!main ? (
        <EmptyState action={{ href: "/seller/products", label: "Manage products" }}>No sales in this period yet.</EmptyState>
      ) : (
        <>
          <dl className="stats" data-testid="sales-summary">
            <div className="stat">
              <dt>Revenue</dt>
              <dd>{fmt(main.current.revenueMinor)}</dd>
              <Change value={main.change.revenue} />
            </div>
            <div className="stat">
              <dt>Orders</dt>
              <dd>{main.current.orders}</dd>
              <Change value={main.change.orders} />
            </div>
            <div className="stat">
              <dt>Units sold</dt>
              <dd>{main.current.units}</dd>
              <Change value={main.change.units} />
            </div>
            <div className="stat">
              <dt>Average order</dt>
              <dd>{main.current.aovMinor === null ? "—" : fmt(main.current.aovMinor)}</dd>
              <Change value={main.change.aov} />
            </div>
          </dl>
          {summary.currencies.length > 1 ? (
            <p className="notice">Also sold in {summary.currencies.filter((c) => c.currency !== currency).map((c) => `${c.currency} (${money(c.current.revenueMinor, c.currency)})`).join(", ")}.</p>
          ) : null}
          <div className="panels">
            <section className="panel" aria-labelledby="rev-title">
              <h2 id="rev-title">Revenue per day</h2>
              <LineChart
                label={`Revenue per day in ${currency}, this period against the previous one`}
                labels={labels}
                formatY={short}
                series={[
                  { name: "This period", color: "#1f6f5c", values: points.map((p) => p.revenueMinor) },
                  { name: "Previous period", color: "#9aa39c", dashed: true, values: before.slice(-points.length).map((p) => p.revenueMinor) },
                ]}
              />
            </section>
            <section className="panel" aria-labelledby="orders-title">
              <h2 id="orders-title">Orders per day</h2>
              <LineChart
                label="Orders per day, this period against the previous one"
                labels={labels}
                formatY={(v) => String(Math.round(v * 10) / 10)}
                integer
                series={[
                  { name: "This period", color: "#2f5fa8", values: points.map((p) => p.orders) },
                  { name: "Previous period", color: "#9aa39c", dashed: true, values: before.slice(-points.length).map((p) => p.orders) },
                ]}
              />
            </section>
          </div>
          <section className="panel" aria-labelledby="top-title">
            <h2 id="top-title">Top products</h2>
            {topItems.length === 0 ? (
              <p className="muted">No product sold in this period.</p>
            ) : (
              <>
                <BarChart label="Top products by revenue" format={short} items={topItems.map((t) => ({ label: t.product.title, value: t.revenueMinor, previous: t.previous.revenueMinor }))} />
                <p className="small muted">Thin grey bars: the previous period.</p>
                <div className="table-wrap">
                  <table data-testid="top-products">
                    <thead>
                      <tr>
                        <th scope="col">Product</th>
                        <th scope="col" className="num">Units</th>
                        <th scope="col" className="num">Orders</th>
                        <th scope="col" className="num">Revenue</th>
                        <th scope="col" className="num">Change</th>
                      </tr>
                    </thead>
                    <tbody>
                      {topItems.map((t) => (
                        <tr key={t.product.id}>
                          <td>
                            <Link href={`/seller/forecast?productId=${t.product.id}`}>{t.product.title}</Link>
                          </td>
                          <td className="num">{t.units}</td>
                          <td className="num">{t.orders}</td>
                          <td className="num">{fmt(t.revenueMinor)}</td>
                          <td className="num">{t.revenueChange === null ? "new" : `${t.revenueChange >= 0 ? "+" : ""}${Math.round(t.revenueChange * 100)}%`}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </>
            )}
          </section>
        </>
      )}
    </main>
  );
}
