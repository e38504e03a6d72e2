import { describe, expect, it } from 'vitest';
import { invitationState } from './invitation';

describe('invitationState', () => {
  const now = Date.parse('2026-11-22T00:00:00Z');
  it('is unknown without a preview', () => {
    expect(invitationState(null, now)).toBe('unknown');
  });
  it('is open while pending and not expired', () => {
    expect(invitationState({ status: 'PENDING', expiresAt: '2026-11-29T00:00:00Z' }, now)).toBe('open');
  });
  it('is expired by status or by time', () => {
    expect(invitationState({ status: 'EXPIRED', expiresAt: '2026-11-29T00:00:00Z' }, now)).toBe('expired');
    expect(invitationState({ status: 'PENDING', expiresAt: '2026-11-21T00:00:00Z' }, now)).toBe('expired');
  });
  it('is used once accepted or revoked', () => {
    expect(invitationState({ status: 'ACCEPTED', expiresAt: '2026-11-29T00:00:00Z' }, now)).toBe('used');
    expect(invitationState({ status: 'REVOKED', expiresAt: '2026-11-29T00:00:00Z' }, now)).toBe('used');
  });
});
