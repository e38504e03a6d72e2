import { describe, expect, it } from 'vitest';
import { clearFlash, peekFlash, setFlash } from './flash';

describe('flash', () => {
  it('is there for its page until cleared, and for no other page', () => {
    setFlash('/a', 'Created.');
    expect(peekFlash('/b')).toBe('');
    expect(peekFlash('/a')).toBe('Created.');
    // A render that React throws away and does again reads it again.
    expect(peekFlash('/a')).toBe('Created.');
    clearFlash('/b');
    expect(peekFlash('/a')).toBe('Created.');
    clearFlash('/a');
    expect(peekFlash('/a')).toBe('');
  });
});
