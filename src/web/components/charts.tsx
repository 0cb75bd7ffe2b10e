/**
 * Small inline-SVG charts, rendered on the server: no chart library and no client JavaScript.
 * Each chart carries an accessible name; callers add a data table for the exact numbers.
 *
 * An SVG scales its text with its width, so one drawing cannot suit a phone, a half-width panel
 * and a full-width one: each chart is drawn for a narrow, a wide and (line charts) an extra-wide
 * box, and container queries show the one that fits (.chart-box in globals.css), keeping labels
 * at about 11-13 px in each.
 */
import type { ReactNode } from "react";

interface Layout {
  width: number;
  pad: { top: number; right: number; bottom: number; left: number };
}

const WIDE: Layout = { width: 560, pad: { top: 12, right: 12, bottom: 26, left: 60 } };
const NARROW: Layout = { width: 340, pad: { top: 12, right: 8, bottom: 26, left: 48 } };
const EXTRA_WIDE: Layout = { width: 800, pad: { top: 12, right: 12, bottom: 26, left: 64 } };
/** Bars run across a whole panel: drawn wider, and never shown larger than drawn. */
const WIDE_BARS: Layout = { width: 720, pad: { top: 0, right: 0, bottom: 0, left: 0 } };

export interface Series {
  name: string;
  color: string;
  values: number[];
  dashed?: boolean;
}

/** 0, 25, 50... : a "nice" step so axis labels read as round numbers. */
export function niceMax(max: number, integer = false): { top: number; step: number } {
  if (!(max > 0)) return integer ? { top: 4, step: 1 } : { top: 1, step: 0.25 };
  const rough = integer ? Math.max(1, max / 4) : max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const nice = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
  const step = integer ? Math.ceil(nice) : nice;
  return { top: step * 4, step };
}

function path(values: number[], x: (i: number) => number, y: (v: number) => number): string {
  return values.map((v, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join("");
}

/** Scales of a chart over `n` points with values up to `top`. */
function scales(layout: Layout, height: number, n: number, top: number) {
  const { pad, width } = layout;
  const innerH = height - pad.top - pad.bottom;
  return {
    x: (i: number) => pad.left + (n <= 1 ? 0 : (i / (n - 1)) * (width - pad.left - pad.right)),
    y: (v: number) => pad.top + innerH - (Math.max(0, v) / top) * innerH,
  };
}

function Axes({ layout, labels, top, step, height, formatY }: { layout: Layout; labels: string[]; top: number; step: number; height: number; formatY: (v: number) => string }) {
  const { pad, width } = layout;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  const n = labels.length;
  const { x, y } = scales(layout, height, n, top);
  const shown = n <= 1 ? [0] : [0, Math.floor((n - 1) / 2), n - 1];
  return (
    <g>
      {ticks.map((t) => (
        <g key={t}>
          <line className="grid-line" x1={pad.left} x2={width - pad.right} y1={y(t)} y2={y(t)} />
          <text x={pad.left - 6} y={y(t) + 4} textAnchor="end">
            {formatY(t)}
          </text>
        </g>
      ))}
      <line className="axis" x1={pad.left} x2={width - pad.right} y1={y(0)} y2={y(0)} />
      {shown.map((i) => (
        <text key={i} x={x(i)} y={height - 6} textAnchor={i === 0 ? "start" : i === n - 1 ? "end" : "middle"}>
          {labels[i]}
        </text>
      ))}
    </g>
  );
}

/** The wide and the narrow drawing of one chart; CSS shows one. */
function Responsive({ draw, wide = WIDE, extraWide }: { draw: (layout: Layout, className: string) => ReactNode; wide?: Layout; extraWide?: Layout }) {
  return (
    <div className={extraWide ? "chart-box has-extra-wide" : "chart-box"}>
      {draw(wide, "chart chart-wide")}
      {draw(NARROW, "chart chart-narrow")}
      {extraWide ? draw(extraWide, "chart chart-extra-wide") : null}
    </div>
  );
}

export function LineChart({
  labels,
  series,
  label,
  formatY,
  height = 220,
  integer = false,
}: {
  labels: string[];
  series: Series[];
  label: string;
  formatY: (v: number) => string;
  height?: number;
  /** Counts (orders, units): whole-number axis steps. */
  integer?: boolean;
}) {
  const { top, step } = niceMax(Math.max(0, ...series.flatMap((s) => s.values)), integer);
  return (
    <figure style={{ margin: 0 }}>
      <Responsive
        extraWide={EXTRA_WIDE}
        draw={(layout, className) => {
          const { x, y } = scales(layout, height, labels.length, top);
          return (
            <svg className={className} viewBox={`0 0 ${layout.width} ${height}`} role="img" aria-label={label}>
              <Axes layout={layout} labels={labels} top={top} step={step} height={height} formatY={formatY} />
              {series.map((s) => (
                <path key={s.name} d={path(s.values, x, y)} fill="none" stroke={s.color} strokeWidth={2} strokeDasharray={s.dashed ? "5 4" : undefined} />
              ))}
            </svg>
          );
        }}
      />
      <Legend items={series.map((s) => ({ name: s.name, color: s.color, dashed: s.dashed }))} />
    </figure>
  );
}

/** Mean line with its prediction interval as a shaded band (the demand forecast). */
export function BandChart({ labels, mean, lower, upper, label, formatY, height = 220 }: { labels: string[]; mean: number[]; lower: number[]; upper: number[]; label: string; formatY: (v: number) => string; height?: number }) {
  const { top, step } = niceMax(Math.max(0, ...upper, ...mean));
  return (
    <figure style={{ margin: 0 }}>
      <Responsive
        extraWide={EXTRA_WIDE}
        draw={(layout, className) => {
          const { x, y } = scales(layout, height, labels.length, top);
          const band = `${path(upper, x, y)}${lower
            .map((v, i) => [i, v] as const)
            .reverse()
            .map(([i, v]) => `L${x(i).toFixed(1)},${y(v).toFixed(1)}`)
            .join("")}Z`;
          return (
            <svg className={className} viewBox={`0 0 ${layout.width} ${height}`} role="img" aria-label={label}>
              <Axes layout={layout} labels={labels} top={top} step={step} height={height} formatY={formatY} />
              <path d={band} fill="#1f6f5c" fillOpacity={0.15} stroke="none" />
              <path d={path(mean, x, y)} fill="none" stroke="#1f6f5c" strokeWidth={2} />
            </svg>
          );
        }}
      />
      <Legend
        items={[
          { name: "Most likely sales per day", color: "#1f6f5c" },
          { name: "Likely range", color: "rgba(31,111,92,0.25)" },
        ]}
      />
    </figure>
  );
}

/**
 * Horizontal bars, one per item, with the value printed at the end of the bar; wide: the label
 * beside its bar, narrow: above it.
 */
export function BarChart({ items, label, format }: { items: { label: string; value: number; previous?: number }[]; label: string; format: (v: number) => string }) {
  const max = Math.max(1, ...items.flatMap((i) => [i.value, i.previous ?? 0]));
  return (
    <Responsive
      wide={WIDE_BARS}
      draw={(layout, className) => {
        const narrow = layout === NARROW;
        const rowH = narrow ? 42 : 30;
        const labelW = narrow ? 0 : 190;
        const valueW = narrow ? 64 : 90;
        const barY = narrow ? 18 : 4;
        const chars = narrow ? 44 : 28;
        const barW = (v: number) => (v / max) * (layout.width - labelW - valueW);
        return (
          <svg className={className} viewBox={`0 0 ${layout.width} ${items.length * rowH + 8}`} role="img" aria-label={label} style={{ maxWidth: `${layout.width}px` }}>
            {items.map((item, i) => (
              <g key={`${item.label}-${i}`} transform={`translate(0 ${i * rowH + 4})`}>
                <text x={narrow ? 0 : labelW - 8} y={narrow ? 12 : 17} textAnchor={narrow ? "start" : "end"}>
                  {item.label.length > chars ? `${item.label.slice(0, chars - 1)}…` : item.label}
                </text>
                {item.previous !== undefined ? <rect x={labelW} y={barY + 14} width={barW(item.previous)} height={5} rx={2} fill="#c9c9c0" /> : null}
                <rect x={labelW} y={barY} width={Math.max(1, barW(item.value))} height={13} rx={3} fill="#1f6f5c" />
                <text x={labelW + barW(item.value) + 6} y={barY + 11}>
                  {format(item.value)}
                </text>
              </g>
            ))}
          </svg>
        );
      }}
    />
  );
}

function Legend({ items }: { items: { name: string; color: string; dashed?: boolean }[] }) {
  return (
    <ul className="legend">
      {items.map((item) => (
        <li key={item.name}>
          <span className={item.dashed ? "swatch dashed" : "swatch"} style={{ background: item.dashed ? undefined : item.color, borderColor: item.color }} aria-hidden="true" />
          {item.name}
        </li>
      ))}
    </ul>
  );
}
