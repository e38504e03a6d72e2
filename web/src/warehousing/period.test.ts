import { describe, expect, it } from 'vitest';
import { dateInputToUTC, parsePeriod, utcDay, utcMonth } from './period';

describe('usage periods are UTC', () => {
  it('the day of an instant, whatever the local zone', () => {
    expect(utcDay(new Date('2026-11-21T23:59:59.999Z'))).toEqual({ from: '2026-11-21T00:00:00Z', to: '2026-11-22T00:00:00Z' });
    expect(utcDay(new Date('2026-12-31T10:00:00+14:00'))).toEqual({ from: '2026-12-30T00:00:00Z', to: '2026-12-31T00:00:00Z' });
  });
  it('the month, across the year end', () => {
    expect(utcMonth(new Date('2026-12-15T00:00:00Z'))).toEqual({ from: '2026-12-01T00:00:00Z', to: '2027-01-01T00:00:00Z' });
  });
  it('the period in the URL', () => {
    expect(parsePeriod('?period=today')).toBe('today');
    expect(parsePeriod('')).toBe('month');
    expect(parsePeriod('?period=year')).toBe('month');
  });
});

describe('dateInputToUTC', () => {
  it('a day as midnight UTC', () => {
    expect(dateInputToUTC('2027-03-01')).toBe('2027-03-01T00:00:00Z');
  });
  it('refuses what is not a real day', () => {
    expect(dateInputToUTC('2027-02-30')).toBeNull();
    expect(dateInputToUTC('2027-13-01')).toBeNull();
    expect(dateInputToUTC('1 March')).toBeNull();
    expect(dateInputToUTC('')).toBeNull();
  });
});
