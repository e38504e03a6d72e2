import { describe, expect, it } from 'vitest';
import { parsePages, withPages } from './Pager';

describe('pages in the URL', () => {
  it('keeps the filters and replaces the cursors', () => {
    expect(withPages('?status=BOOKED', ['abc', 'd-_9'])).toBe('?status=BOOKED&pages=abc.d-_9');
    expect(parsePages('?status=BOOKED&pages=abc.d-_9')).toEqual(['abc', 'd-_9']);
    expect(withPages('?status=BOOKED&pages=abc', [])).toBe('?status=BOOKED');
    expect(withPages('', [])).toBe('');
  });
  it('reads anything malformed as the first page', () => {
    expect(parsePages('?pages=a..b')).toEqual([]);
    expect(parsePages('?pages=%3Cscript%3E')).toEqual([]);
    expect(parsePages('')).toEqual([]);
  });
});

describe('pages of a list whose filter is page state', () => {
  it('ignores cursors taken under another filter', () => {
    const search = withPages('', ['abc'], 'whs_1');
    expect(search).toBe('?pages=abc&pagesof=whs_1');
    expect(parsePages(search, 'whs_1')).toEqual(['abc']);
    expect(parsePages(search, 'whs_2')).toEqual([]);
    expect(parsePages(search)).toEqual([]);
    expect(withPages(search, [], 'whs_1')).toBe('');
  });
});
