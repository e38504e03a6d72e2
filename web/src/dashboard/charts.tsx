// Charts in plain SVG: a stacked column chart and a horizontal bar chart, about 2 KB together
// where a chart library would add 50–150 KB to the dashboard's chunk. Each figure has its data
// as a table beside it (behind "Show as a table"), which is what a screen reader reads; the SVG
// itself is one labelled image.
import { useId, type ReactNode } from 'react';
import { portalMessages } from '../i18n/portal';

export interface Series {
  key: string;
  label: string;
  /** A class of dashboard.css giving the series its colour. */
  tone: string;
}

/** A stacked column per category (a week, a month), one segment per series. */
export function StackedColumns({
  title,
  description,
  categories,
  series,
  values,
  format,
  categoryHeader,
}: {
  title: string;
  description: string;
  categories: readonly string[];
  series: readonly Series[];
  /** values[category][series] */
  values: readonly (readonly number[])[];
  format: (value: number) => string;
  categoryHeader: string;
}) {
  const id = useId();
  const width = 640;
  const height = 220;
  const pad = { top: 12, right: 8, bottom: 28, left: 8 };
  const totals = values.map((row) => row.reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...totals);
  const slot = (width - pad.left - pad.right) / Math.max(1, categories.length);
  const barWidth = Math.min(48, slot * 0.6);
  const plot = height - pad.top - pad.bottom;
  return (
    <figure className="chart" aria-labelledby={`${id}-title`}>
      <figcaption>
        <h3 id={`${id}-title`} className="chart-title">
          {title}
        </h3>
        <p className="muted chart-description">{description}</p>
      </figcaption>
      <Legend series={series} />
      <svg viewBox={`0 0 ${width} ${height}`} className="chart-svg" role="img" aria-labelledby={`${id}-title`}>
        <line x1={pad.left} x2={width - pad.right} y1={height - pad.bottom} y2={height - pad.bottom} className="chart-axis" />
        {categories.map((category, i) => {
          const x = pad.left + slot * i + (slot - barWidth) / 2;
          let y = height - pad.bottom;
          return (
            <g key={category}>
              {series.map((s, j) => {
                const v = values[i]?.[j] ?? 0;
                if (v <= 0) {
                  return null;
                }
                const h = (v / max) * plot;
                y -= h;
                return (
                  <rect key={s.key} x={x} y={y} width={barWidth} height={h} className={`chart-bar ${s.tone}`}>
                    <title>{`${category} · ${s.label}: ${format(v)}`}</title>
                  </rect>
                );
              })}
              <text x={x + barWidth / 2} y={height - 10} textAnchor="middle" className="chart-label">
                {category}
              </text>
            </g>
          );
        })}
      </svg>
      <DataTable caption={title}>
        <thead>
          <tr>
            <th scope="col">{categoryHeader}</th>
            {series.map((s) => (
              <th scope="col" key={s.key} className="num">
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {categories.map((category, i) => (
            <tr key={category}>
              <th scope="row">{category}</th>
              {series.map((s, j) => (
                <td key={s.key} className="num">
                  {format(values[i]?.[j] ?? 0)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </DataTable>
    </figure>
  );
}

/** One bar per item, for rates between 0 and 1. */
export function RateBars({
  title,
  description,
  items,
  labelHeader,
  valueHeader,
}: {
  title: string;
  description: string;
  items: readonly { key: string; label: string; rate: number; text: string }[];
  labelHeader: string;
  valueHeader: string;
}) {
  const id = useId();
  const row = 28;
  const width = 640;
  const labelWidth = 150;
  const height = items.length * row + 8;
  return (
    <figure className="chart" aria-labelledby={`${id}-title`}>
      <figcaption>
        <h3 id={`${id}-title`} className="chart-title">
          {title}
        </h3>
        <p className="muted chart-description">{description}</p>
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} className="chart-svg" role="img" aria-labelledby={`${id}-title`}>
        {items.map((item, i) => {
          const y = 4 + i * row;
          const w = Math.max(2, item.rate * (width - labelWidth - 70));
          return (
            <g key={item.key}>
              <text x={0} y={y + 17} className="chart-label">
                {item.label}
              </text>
              <rect x={labelWidth} y={y + 4} width={w} height={row - 10} rx={3} className="chart-bar tone-good">
                <title>{`${item.label}: ${item.text}`}</title>
              </rect>
              <text x={labelWidth + w + 6} y={y + 17} className="chart-value">
                {item.text}
              </text>
            </g>
          );
        })}
      </svg>
      <DataTable caption={title}>
        <thead>
          <tr>
            <th scope="col">{labelHeader}</th>
            <th scope="col" className="num">
              {valueHeader}
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.key}>
              <th scope="row">{item.label}</th>
              <td className="num">{item.text}</td>
            </tr>
          ))}
        </tbody>
      </DataTable>
    </figure>
  );
}

function Legend({ series }: { series: readonly Series[] }) {
  return (
    <ul className="chart-legend" aria-hidden="true">
      {series.map((s) => (
        <li key={s.key}>
          <span className={`chart-swatch ${s.tone}`} />
          {s.label}
        </li>
      ))}
    </ul>
  );
}

function DataTable({ caption, children }: { caption: string; children: ReactNode }) {
  return (
    <details className="chart-table">
      <summary>{portalMessages.dashboard.chartTable}</summary>
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">{caption}</caption>
          {children}
        </table>
      </div>
    </details>
  );
}
