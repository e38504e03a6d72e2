// Stock buckets of a balance and the changes a movement makes to them.

/** The buckets of an inventory balance, in the order the pages show them. */
export const stockBuckets = [
  'awaitingPutaway',
  'onHand',
  'reserved',
  'pledged',
  'available',
  'picked',
  'damaged',
  'inTransferOut',
  'inTransferIn',
] as const;

export type StockBucket = (typeof stockBuckets)[number];

export type StockDeltaLike = Readonly<Record<StockBucket, number>>;

/** The buckets a movement changed, with the change, in the buckets' order: 0s left out. */
export function deltaParts(delta: StockDeltaLike): { bucket: StockBucket; change: number }[] {
  return stockBuckets.filter((b) => delta[b] !== 0).map((bucket) => ({ bucket, change: delta[bucket] }));
}

/** A balance as far as its totals go. */
export type BalanceTotals = Readonly<Record<StockBucket, number>>;

/** The sum of several balances, bucket by bucket (a SKU over all its warehouses). */
export function sumBalances(balances: readonly BalanceTotals[]): Record<StockBucket, number> {
  const total = Object.fromEntries(stockBuckets.map((b) => [b, 0])) as Record<StockBucket, number>;
  for (const balance of balances) {
    for (const b of stockBuckets) {
      total[b] += balance[b];
    }
  }
  return total;
}
