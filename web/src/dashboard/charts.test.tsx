import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { RateBars, StackedColumns } from './charts';

describe('SVG charts', () => {
  it('stacks one segment per non-zero value, scaled to the tallest column, with the data as a table', () => {
    const html = renderToStaticMarkup(
      <StackedColumns
        title="Shipments"
        description="By week"
        categories={['Nov 2', 'Nov 9']}
        series={[
          { key: 'a', label: 'Moving', tone: 'tone-info' },
          { key: 'b', label: 'Trouble', tone: 'tone-danger' },
        ]}
        values={[
          [2, 0],
          [3, 1],
        ]}
        format={String}
        categoryHeader="Week"
      />,
    );
    const rects = [...html.matchAll(/<rect [^>]*height="([\d.]+)"[^>]*class="chart-bar ([^"]+)"/g)];
    expect(rects.map((r) => r[2])).toEqual(['tone-info', 'tone-info', 'tone-danger']);
    // The plot is 180 units high; the tallest column (4) fills it.
    expect(rects.map((r) => Math.round(Number(r[1])))).toEqual([90, 135, 45]);
    expect(html).toContain('<title>Nov 9 · Trouble: 1</title>');
    expect(html).toContain('<th scope="row">Nov 9</th><td class="num">3</td><td class="num">1</td>');
    expect(html).toMatch(/<svg[^>]*role="img"[^>]*aria-labelledby/);
  });

  it('draws rates as bars of their share, labelled', () => {
    const html = renderToStaticMarkup(
      <RateBars
        title="On time"
        description="Per carrier"
        items={[
          { key: 'x', label: 'SwiftX', rate: 1, text: '100%' },
          { key: 'y', label: 'PandaPost', rate: 0.5, text: '50%' },
        ]}
        labelHeader="Carrier"
        valueHeader="On time"
      />,
    );
    const widths = [...html.matchAll(/<rect [^>]*width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths[0]).toBeCloseTo(widths[1]! * 2);
    expect(html).toContain('>PandaPost</text>');
    expect(html).toContain('<th scope="row">SwiftX</th><td class="num">100%</td>');
  });
});
