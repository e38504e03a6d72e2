// Sums over scorecards for the scorecards page's chart.

interface CardLike {
  carrier: { code: string; name: string };
  onTime: number;
  delivered: number;
}

/** On-time rate per carrier over the given scorecards: on time out of delivered. */
export function onTimeByCarrier(cards: readonly CardLike[]): { code: string; name: string; rate: number | null }[] {
  const by = new Map<string, { code: string; name: string; onTime: number; delivered: number }>();
  for (const c of cards) {
    const cur = by.get(c.carrier.code) ?? { code: c.carrier.code, name: c.carrier.name, onTime: 0, delivered: 0 };
    cur.onTime += c.onTime;
    cur.delivered += c.delivered;
    by.set(c.carrier.code, cur);
  }
  return [...by.values()]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((c) => ({ code: c.code, name: c.name, rate: c.delivered > 0 ? c.onTime / c.delivered : null }));
}

