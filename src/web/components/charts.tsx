/**
 * Small inline-SVG charts, rendered on the server: no chart library and no client JavaScript.
 * Each chart carries an accessible name; callers add a data table for the exact numbers.
 */

const W = 640;
const PAD = { top: 12, right: 12, bottom: 26, left: 64 };

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

function Axes({ labels, top, step, height, formatY }: { labels: string[]; top: number; step: number; height: number; formatY: (v: number) => string }) {
  const innerH = height - PAD.top - PAD.bottom;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  const n = labels.length;
  const x = (i: number) => PAD.left + (n <= 1 ? 0 : (i / (n - 1)) * (W - PAD.left - PAD.right));
  const shown = n <= 1 ? [0] : [0, Math.floor((n - 1) / 2), n - 1];
  return (
    <g>
      {ticks.map((t) => {
        const y = PAD.top + innerH - (t / top) * innerH;
        return (
          <g key={t}>
            <line className="grid-line" x1={PAD.left} x2={W - PAD.right} y1={y} y2={y} />
            <text x={PAD.left - 6} y={y + 4} textAnchor="end">
              {formatY(t)}
            </text>
          </g>
        );
      })}
      <line className="axis" x1={PAD.left} x2={W - PAD.right} y1={PAD.top + innerH} y2={PAD.top + innerH} />
      {shown.map((i) => (
        <text key={i} x={x(i)} y={height - 6} textAnchor={i === 0 ? "start" : i === n - 1 ? "end" : "middle"}>
          {labels[i]}
        </text>
      ))}
    </g>
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
  const max = Math.max(0, ...series.flatMap((s) => s.values));
  const { top, step } = niceMax(max, integer);
  const innerH = height - PAD.top - PAD.bottom;
  const n = labels.length;
  const x = (i: number) => PAD.left + (n <= 1 ? 0 : (i / (n - 1)) * (W - PAD.left - PAD.right));
  const y = (v: number) => PAD.top + innerH - (v / top) * innerH;
  return (
    <figure style={{ margin: 0 }}>
      <svg className="chart" viewBox={`0 0 ${W} ${height}`} role="img" aria-label={label}>
        <Axes labels={labels} top={top} step={step} height={height} formatY={formatY} />
        {series.map((s) => (
          <path key={s.name} d={path(s.values, x, y)} fill="none" stroke={s.color} strokeWidth={2} strokeDasharray={s.dashed ? "5 4" : undefined} />
        ))}
      </svg>
      <Legend items={series.map((s) => ({ name: s.name, color: s.color }))} />
    </figure>
  );
}

/** Mean line with its prediction interval as a shaded band (the demand forecast). */
export function BandChart({ labels, mean, lower, upper, label, formatY, height = 220 }: { labels: string[]; mean: number[]; lower: number[]; upper: number[]; label: string; formatY: (v: number) => string; height?: number }) {
  const { top, step } = niceMax(Math.max(0, ...upper, ...mean));
  const innerH = height - PAD.top - PAD.bottom;
  const n = labels.length;
  const x = (i: number) => PAD.left + (n <= 1 ? 0 : (i / (n - 1)) * (W - PAD.left - PAD.right));
  const y = (v: number) => PAD.top + innerH - (Math.max(0, v) / top) * innerH;
  const band = `${path(upper, x, y)}${lower
    .map((v, i) => [i, v] as const)
    .reverse()
    .map(([i, v]) => `L${x(i).toFixed(1)},${y(v).toFixed(1)}`)
    .join("")}Z`;
  return (
    <figure style={{ margin: 0 }}>
      <svg className="chart" viewBox={`0 0 ${W} ${height}`} role="img" aria-label={label}>
        <Axes labels={labels} top={top} step={step} height={height} formatY={formatY} />
        <path d={band} fill="#1f6f5c" fillOpacity={0.15} stroke="none" />
        <path d={path(mean, x, y)} fill="none" stroke="#1f6f5c" strokeWidth={2} />
      </svg>
      <Legend
        items={[
          { name: "Expected units per day", color: "#1f6f5c" },
          { name: "Likely range (interval)", color: "rgba(31,111,92,0.25)" },
        ]}
      />
    </figure>
  );
}

/** Horizontal bars, one per item, with the value printed at the end of the bar. */
export function BarChart({ items, label, format }: { items: { label: string; value: number; previous?: number }[]; label: string; format: (v: number) => string }) {
  const rowH = 30;
  const height = items.length * rowH + 8;
  const labelW = 190;
  const valueW = 90;
  const max = Math.max(1, ...items.flatMap((i) => [i.value, i.previous ?? 0]));
  const barW = (v: number) => (v / max) * (W - labelW - valueW);
  return (
    <svg className="chart" viewBox={`0 0 ${W} ${height}`} role="img" aria-label={label} style={{ maxWidth: `${W * 1.2}px` }}>
      {items.map((item, i) => (
        <g key={`${item.label}-${i}`} transform={`translate(0 ${i * rowH + 4})`}>
          <text x={labelW - 8} y={17} textAnchor="end">
            {item.label.length > 28 ? `${item.label.slice(0, 27)}…` : item.label}
          </text>
          {item.previous !== undefined ? <rect x={labelW} y={18} width={barW(item.previous)} height={5} rx={2} fill="#c9c9c0" /> : null}
          <rect x={labelW} y={4} width={Math.max(1, barW(item.value))} height={13} rx={3} fill="#1f6f5c" />
          <text x={labelW + barW(item.value) + 6} y={15}>
            {format(item.value)}
          </text>
        </g>
      ))}
    </svg>
  );
}

function Legend({ items }: { items: { name: string; color: string }[] }) {
  return (
    <ul className="legend">
      {items.map((item) => (
        <li key={item.name}>
          <span className="swatch" style={{ background: item.color }} aria-hidden="true" />
          {item.name}
        </li>
      ))}
    </ul>
  );
}
