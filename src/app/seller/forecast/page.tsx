import type { Metadata } from "next";
import Link from "next/link";
import { api } from "~/web/trpc/server";
import { BandChart } from "~/web/components/charts";
import { EmptyState, ErrorNotice } from "~/web/components/states";
import { date } from "~/web/format";
import { viewerTime } from "~/web/viewer-time";
import { isNotFound } from "~/web/forms";
import { periodEndingNow } from "~/web/period";
import { SellerNav } from "~/web/seller-nav";
import { requireShop } from "~/web/viewer";

export const metadata: Metadata = { title: "Demand forecast" };
export const dynamic = "force-dynamic";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function ForecastPage({ searchParams }: { searchParams: Promise<{ productId?: string; lead?: string }> }) {
  const viewer = await requireShop("/seller/forecast");
  if (!viewer) return null;
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
      <form method="get" action="/seller/forecast" className="picker" aria-label="Choose a product">
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
                label={`Likely sales per day of ${forecast.product.title}, with their range`}
                labels={forecast.days.map((d) => date(d.day))}
                mean={forecast.days.map((d) => d.mean)}
                lower={forecast.days.map((d) => d.lower)}
                upper={forecast.days.map((d) => d.upper)}
                formatY={(v) => String(Math.round(v * 10) / 10)}
              />
              <p className="small muted" data-testid="forecast-basis">
                {forecastBasis(forecast.model)}
                {forecast.generatedAt ? ` Worked out ${(await viewerTime()).dateTime(forecast.generatedAt)}.` : ""} The shaded band is where sales will most likely fall
                (nine days in ten).
              </p>
              {forecast.backtest ? <p className="small muted">{reliability(forecast.backtest)}</p> : null}
              <details>
                <summary>Show the numbers</summary>
                <div className="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Day</th>
                        <th scope="col" className="num">Most likely</th>
                        <th scope="col" className="num">At least</th>
                        <th scope="col" className="num">At most</th>
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

/** What the forecast is based on, in words (the processor's model names are not for people). */
function forecastBasis(model: string | null): string {
  if (model === "mean") return "This product has little sales history yet, so the forecast is its average daily sales over the last eight weeks.";
  return "Based on this product's sales over recent months, following its ups and downs through the week and where they are heading.";
}

/** How close the forecasts came when tested on recent weeks of real sales (all products of the shop together). */
function reliability(backtest: { heldOutDays: number; products: number; modelWape: number; baselineWape: number }): string {
  const weeks = Math.round(backtest.heldOutDays / 7);
  if (backtest.products === 0) return "There are not yet enough sales to test how close the forecasts come.";
  const off = (share: number) => `${Math.round(share * 100)}%`;
  return `How close it comes: tested on the last ${weeks} weeks of real sales, weekly forecasts were off by ${off(backtest.modelWape)} of what sold, against ${off(backtest.baselineWape)} for simply expecting the same as the week before.`;
}
