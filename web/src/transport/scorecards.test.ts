import { describe, expect, it } from 'vitest';
import { onTimeByCarrier } from './scorecards';
import { parseStatus } from './paths';

describe('onTimeByCarrier', () => {
  it('sums on time over delivered per carrier, across lanes and months, by name', () => {
    const sx = { code: 'SWIFTX', name: 'SwiftX' };
    const pp = { code: 'PANDAPOST', name: 'Panda Post' };
    const ex = { code: 'NEW', name: 'Zeta' };
    expect(
      onTimeByCarrier([
        { carrier: sx, onTime: 8, delivered: 10 },
        { carrier: sx, onTime: 1, delivered: 10 },
        { carrier: pp, onTime: 3, delivered: 4 },
        { carrier: ex, onTime: 0, delivered: 0 },
      ]),
    ).toEqual([
      { code: 'PANDAPOST', name: 'Panda Post', rate: 0.75 },
      { code: 'SWIFTX', name: 'SwiftX', rate: 0.45 },
      { code: 'NEW', name: 'Zeta', rate: null },
    ]);
  });
});

describe('parseStatus', () => {
  const allowed = ['BOOKED', 'DELIVERED'] as const;
  it('takes a known status from the search', () => {
    expect(parseStatus('?status=DELIVERED', allowed)).toBe('DELIVERED');
  });
  it('ignores an unknown or missing one', () => {
    expect(parseStatus('?status=NOPE', allowed)).toBeNull();
    expect(parseStatus('', allowed)).toBeNull();
  });
});
