import type { Metadata } from "next";
import Link from "next/link";
import { formatMoneyCompact } from "~/core/money";
import { api } from "~/web/trpc/server";
import { BarChart, LineChart } from "~/web/components/charts";
import { EmptyState } from "~/web/components/states";
import { webConfig } from "~/web/config";
import { date, money } from "~/web/format";
import { viewerTime } from "~/web/viewer-time";
import { PERIODS, chartDays, parseDays, periodEndingNow } from "~/web/period";
import { SellerNav } from "~/web/seller-nav";
import { requireShop } from "~/web/viewer";

export const metadata: Metadata = { title: "Sales dashboard" };
export const dynamic = "force-dynamic";

/** The change against the previous period; nothing when that period cannot be compared with. */
function Change({ value, comparable }: { value: number | null; comparable: boolean }) {
  if (!comparable) return null;
  if (value === null) return <span className="small muted">none in the previous period</span>;
  const pct = Math.round(value * 1000) / 10;
  return (
    <span className={`delta ${pct >= 0 ? "up" : "down"}`}>
      {pct >= 0 ? "▲" : "▼"} {new Intl.NumberFormat(webConfig().SHOP_LOCALE).format(Math.abs(pct))}% vs previous period
    </span>
  );
}

export default async function SellerDashboard({ searchParams }: { searchParams: Promise<{ days?: string }> }) {
  const viewer = await requireShop("/seller");
  if (!viewer) return null;
  const days = parseDays((await searchParams).days);
  const { from, to } = periodEndingNow(days);
  const client = await api();
  const chart = chartDays(days);
  const [summary, series, previousSeries, top] = await Promise.all([
    client.stats.summary.query({ from, to }),
    client.stats.timeseries.query({ ...chart.current, granularity: "day" }),
    client.stats.timeseries.query({ ...chart.previous, granularity: "day" }),
    client.stats.topProducts.query({ from, to, limit: 8 }),
  ]);
  // The shop's main currency: the one with the most revenue this period.
  const main = [...summary.currencies].sort((a, b) => b.current.revenueMinor - a.current.revenueMinor)[0];
  const currency = main?.currency ?? "EUR";
  const allPoints = series.series.find((s) => s.currency === currency)?.points ?? [];
  // Complete days are plotted; today so far is said in words.
  const points = allPoints.filter((p) => new Date(p.bucket).getTime() < chart.today.getTime());
  const today = allPoints.find((p) => new Date(p.bucket).getTime() === chart.today.getTime());
  const before = previousSeries.series.find((s) => s.currency === currency)?.points ?? [];
  const labels = points.map((p) => date(p.bucket));
  const { comparable } = summary;
  // Flat lines at zero say nothing (and a revenue axis in cents): say it instead.
  const quiet = points.every((p) => p.orders === 0) && (!comparable || before.every((p) => p.orders === 0));
  const fmt = (v: number) => money(v, currency);
  const short = (v: number) => formatMoneyCompact(v, currency);
  const topItems = top.items.filter((t) => t.currency === currency);

  return (
    <main id="main">
      <SellerNav current="/seller" />
      <div className="page-head">
        <h1>{viewer.seller.shopName}: sales</h1>
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
        {date(summary.period.from)} – {date(summary.period.to)}
        {comparable ? `, compared with the ${days} days before (${date(summary.previousPeriod.from)} – ${date(summary.previousPeriod.to)})` : ""}. Figures are updated hourly.
      </p>
      {main && !comparable && summary.firstSaleAt ? (
        <p className="notice" data-testid="no-comparison">
          Your first sale was on {(await viewerTime()).date(summary.firstSaleAt)}: there are no {days} full days of sales before this period to compare it with yet.
        </p>
      ) : null}
      {!main ? (
        <EmptyState action={{ href: "/seller/products", label: "Manage products" }}>No sales in this period yet.</EmptyState>
      ) : (
        <>
          <dl className="stats" data-testid="sales-summary">
            <div className="stat">
              <dt>Revenue</dt>
              <dd>{fmt(main.current.revenueMinor)}</dd>
              <Change value={main.change.revenue} comparable={comparable} />
            </div>
            <div className="stat">
              <dt>Orders</dt>
              <dd>{main.current.orders}</dd>
              <Change value={main.change.orders} comparable={comparable} />
            </div>
            <div className="stat">
              <dt>Units sold</dt>
              <dd>{main.current.units}</dd>
              <Change value={main.change.units} comparable={comparable} />
            </div>
            <div className="stat">
              <dt>Average order</dt>
              <dd>{main.current.aovMinor === null ? "—" : fmt(main.current.aovMinor)}</dd>
              <Change value={main.change.aov} comparable={comparable} />
            </div>
          </dl>
          {summary.currencies.length > 1 ? (
            <p className="notice">Also sold in {summary.currencies.filter((c) => c.currency !== currency).map((c) => `${c.currency} (${money(c.current.revenueMinor, c.currency)})`).join(", ")}.</p>
          ) : null}
          <div className="panels">
            <section className="panel" aria-labelledby="rev-title">
              <h2 id="rev-title">Revenue per day</h2>
              {quiet ? (
                <p className="muted">No sales on these days.</p>
              ) : (
                <LineChart
                  label={`Revenue per day in ${currency}${comparable ? ", this period against the previous one" : ""}`}
                  labels={labels}
                  formatY={short}
                  series={[
                    { name: "This period", color: "#1f6f5c", values: points.map((p) => p.revenueMinor) },
                    ...(comparable ? [{ name: "Previous period", color: "#9aa39c", dashed: true, values: before.map((p) => p.revenueMinor) }] : []),
                  ]}
                />
              )}
            </section>
            <section className="panel" aria-labelledby="orders-title">
              <h2 id="orders-title">Orders per day</h2>
              {quiet ? (
                <p className="muted">No sales on these days.</p>
              ) : (
                <LineChart
                  label={`Orders per day${comparable ? ", this period against the previous one" : ""}`}
                  labels={labels}
                  formatY={(v) => String(Math.round(v * 10) / 10)}
                  integer
                  series={[
                    { name: "This period", color: "#2f5fa8", values: points.map((p) => p.orders) },
                    ...(comparable ? [{ name: "Previous period", color: "#9aa39c", dashed: true, values: before.map((p) => p.orders) }] : []),
                  ]}
                />
              )}
            </section>
          </div>
          <p className="small muted" data-testid="today-so-far">
            {today && today.orders > 0
              ? `Today so far: ${fmt(today.revenueMinor)} from ${today.orders} order${today.orders === 1 ? "" : "s"}. Today joins the charts once it is over.`
              : "No sales yet today. Today joins the charts once it is over."}
          </p>
          <section className="panel" aria-labelledby="top-title">
            <h2 id="top-title">Top products</h2>
            {topItems.length === 0 ? (
              <p className="muted">No product sold in this period.</p>
            ) : (
              <>
                <BarChart
                  label="Top products by revenue"
                  format={short}
                  items={topItems.map((t) => ({ label: t.product.title, value: t.revenueMinor, previous: comparable ? t.previous.revenueMinor : undefined }))}
                />
                {comparable ? <p className="small muted">Thin grey bars: the previous period.</p> : null}
                <div className="table-wrap">
                  <table data-testid="top-products">
                    <thead>
                      <tr>
                        <th scope="col">Product</th>
                        <th scope="col" className="num">Units</th>
                        <th scope="col" className="num hide-narrow">
                          Orders
                        </th>
                        <th scope="col" className="num">Revenue</th>
                        {comparable ? (
                          <th scope="col" className="num">
                            Change
                          </th>
                        ) : null}
                      </tr>
                    </thead>
                    <tbody>
                      {topItems.map((t) => (
                        <tr key={t.product.id}>
                          <td>
                            <Link href={`/seller/forecast?productId=${t.product.id}`}>{t.product.title}</Link>
                          </td>
                          <td className="num">{t.units}</td>
                          <td className="num hide-narrow">{t.orders}</td>
                          <td className="num">{fmt(t.revenueMinor)}</td>
                          {comparable ? (
                            <td className="num">{t.revenueChange === null ? "new" : `${t.revenueChange >= 0 ? "+" : ""}${Math.round(t.revenueChange * 100)}%`}</td>
                          ) : null}
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
