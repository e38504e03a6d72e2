import { describe, expect, it } from 'vitest';
import { localInDays, receivedPercent, toRFC3339 } from './paths';

describe('receivedPercent', () => {
  it('counts accepted and rejected units, capped per line', () => {
    expect(receivedPercent([{ quantity: 500, received: 495, rejected: 5 }])).toBe(100);
    expect(receivedPercent([{ quantity: 100, received: 30, rejected: 0 }, { quantity: 100, received: 150, rejected: 0 }])).toBe(65);
    expect(receivedPercent([])).toBe(0);
  });
});

describe('toRFC3339', () => {
  it('turns a local date-time into UTC and refuses garbage', () => {
    expect(toRFC3339('')).toBeNull();
    expect(toRFC3339('not a date')).toBeNull();
    expect(toRFC3339(localInDays(2, new Date('2026-11-20T10:00:00'))) ).toBe(new Date('2026-11-22T10:00:00').toISOString());
  });
});
