import type { Metadata } from "next";
import Link from "next/link";
import { api } from "~/web/trpc/server";
import { BandChart } from "~/web/components/charts";
import { EmptyState, ErrorNotice } from "~/web/components/states";
import { date, dateTime } from "~/web/format";
import { isNotFound } from "~/web/forms";
import { periodEndingNow } from "~/web/period";
import { SellerNav } from "~/web/seller-nav";
import { requireViewer } from "~/web/viewer";

export const metadata: Metadata = { title: "Demand forecast" };
export const dynamic = "force-dynamic";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function ForecastPage({ searchParams }: { searchParams: Promise<{ productId?: string; lead?: string }> }) {
  await requireViewer("/seller/forecast", "seller");
  const sp = await searchParams;
  const leadTimeDays = Math.min(28, Math.max(1, Number(sp.lead) || 7));
  const client = await api();
  const month = periodEndingNow(30);
  const [reorder, products, top] = await Promise.allSettled([
    client.stats.reorderSoon.query({ leadTimeDays }),
    client.seller.products.listOwn.query({ limit: 100, status: "active", sort: "newest" }),
    client.stats.topProducts.query({ from: month.from, to: month.to, limit: 1 }),
  ]);
  const productList = products.status === "fulfilled" ? products.value.items : [];
  // Without a choice: the most urgent reorder, else last month's best seller, else the newest product.
  const productId =
    (sp.productId && UUID.test(sp.productId) ? sp.productId : undefined) ??
    (reorder.status === "fulfilled" ? reorder.value[0]?.product.id : undefined) ??
    (top.status === "fulfilled" ? top.value.items[0]?.product.id : undefined) ??
    productList[0]?.id;
  let forecast = null;
  let forecastMissing = false;
  if (productId) {
    try {
      forecast = await client.stats.forecast.query({ productId });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      forecastMissing = true;
    }
  }
  return (
    <main id="main">
      <SellerNav current="/seller/forecast" />
      <h1>Demand forecast</h1>
      <form method="get" action="/seller/forecast" className="inline-form" aria-label="Choose a product" style={{ marginBottom: "1rem" }}>
        <label htmlFor="fc-product" className="label">
          Product
        </label>
        <select id="fc-product" name="productId" defaultValue={productId}>
          {productList.map((p) => (
            <option key={p.id} value={p.id}>
              {p.title}
            </option>
          ))}
        </select>
        <input type="hidden" name="lead" value={leadTimeDays} />
        <button type="submit" className="secondary">
          Show
        </button>
      </form>
      <div className="two-col">
        <section className="panel" aria-labelledby="fc-title">
          <h2 id="fc-title">{forecast && forecast.days.length > 0 ? `Next ${forecast.days.length} days: ${forecast.product.title}` : (forecast?.product.title ?? "Forecast")}</h2>
          {forecastMissing ? (
            <ErrorNotice>That product is not in your shop.</ErrorNotice>
          ) : !forecast || forecast.days.length === 0 ? (
            <EmptyState>No forecast yet for this product. Forecasts are computed nightly from at least a few weeks of sales.</EmptyState>
          ) : (
            <>
              <BandChart
                label={`Forecast units per day for ${forecast.product.title}, with its likely range`}
                labels={forecast.days.map((d) => date(d.day))}
                mean={forecast.days.map((d) => d.mean)}
                lower={forecast.days.map((d) => d.lower)}
                upper={forecast.days.map((d) => d.upper)}
                formatY={(v) => String(Math.round(v * 10) / 10)}
              />
              <p className="small muted">
                Model {forecast.model ?? "—"}
                {forecast.generatedAt ? `, computed ${dateTime(forecast.generatedAt)}` : ""}.
                {forecast.backtest
                  ? ` On held-out days its error (WAPE) was ${(forecast.backtest.modelWape * 100).toFixed(1)}% against ${(forecast.backtest.baselineWape * 100).toFixed(1)}% for last week's sales repeated.`
                  : ""}
              </p>
              <details>
                <summary>Show the numbers</summary>
                <div className="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Day</th>
                        <th scope="col" className="num">Expected</th>
                        <th scope="col" className="num">Low</th>
                        <th scope="col" className="num">High</th>
                      </tr>
                    </thead>
                    <tbody>
                      {forecast.days.map((d) => (
                        <tr key={String(d.day)}>
                          <td>{date(d.day)}</td>
                          <td className="num">{d.mean.toFixed(1)}</td>
                          <td className="num">{d.lower.toFixed(1)}</td>
                          <td className="num">{d.upper.toFixed(1)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </details>
            </>
          )}
        </section>
        <section className="panel" aria-labelledby="reorder-title">
          <h2 id="reorder-title">Reorder soon</h2>
          <p className="small muted">
            Stock that will not cover the next {leadTimeDays} days of likely demand.{" "}
            {[7, 14].filter((d) => d !== leadTimeDays).map((d) => (
              <Link key={d} href={`/seller/forecast?lead=${d}${productId ? `&productId=${productId}` : ""}`}>
                Use {d} days
              </Link>
            ))}
          </p>
          {reorder.status === "rejected" ? (
            <ErrorNotice>Stock levels are unavailable right now, so the reorder list cannot be worked out.</ErrorNotice>
          ) : reorder.value.length === 0 ? (
            <p className="notice ok">Nothing to reorder: your stock covers the forecast.</p>
          ) : (
            <ul className="cart-lines" data-testid="reorder-soon">
              {reorder.value.map((r) => (
                <li key={r.productId}>
                  <Link href={`/seller/forecast?productId=${r.productId}&lead=${leadTimeDays}`}>
                    <strong>{r.product.title}</strong>
                  </Link>
                  <div className="small">
                    {r.onHand} in stock · {r.daysOfCover === null ? "lasts the forecast" : `runs out in ~${r.daysOfCover} day${r.daysOfCover === 1 ? "" : "s"}`} · order{" "}
                    <strong>{r.suggestedQuantity}</strong>
                  </div>
                  <Link className="small" href={`/seller/products/${r.productId}`}>
                    Update stock
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </main>
  );
}
