import { describe, expect, it } from 'vitest';
import { chosenEventTypes, describeEventTypes, formatLatency, healthTexts, webhooksPath } from './webhooks';

describe('webhooks helpers', () => {
  it('sends ["*"] for all event types, else the chosen ones in the server order', () => {
    const known = ['inventory.adjusted', 'order.created', 'sku.created'];
    expect(chosenEventTypes(true, ['sku.created'], known)).toEqual(['*']);
    expect(chosenEventTypes(false, ['sku.created', 'inventory.adjusted'], known)).toEqual([
      'inventory.adjusted',
      'sku.created',
    ]);
    expect(chosenEventTypes(false, ['bogus', 'sku.created'], known)).toEqual(['sku.created', 'bogus']);
    expect(chosenEventTypes(false, [], known)).toEqual([]);
  });
  it('describes event types', () => {
    expect(describeEventTypes(['*'])).toBe('All event types');
    expect(describeEventTypes(['a.b', 'c.d'])).toBe('a.b, c.d');
  });
  it('has a notice for every health but HEALTHY', () => {
    expect(healthTexts.HEALTHY.notice).toBeNull();
    for (const h of ['WARNING', 'UNHEALTHY', 'DISABLED'] as const) {
      expect(healthTexts[h].notice).toBeTruthy();
    }
  });
  it('builds paths and latencies', () => {
    expect(webhooksPath('acct 1')).toBe('/accounts/acct%201/webhooks');
    expect(webhooksPath('acct_1', 'whk_1')).toBe('/accounts/acct_1/webhooks/whk_1');
    expect(formatLatency(84)).toBe('84 ms');
    expect(formatLatency(1234)).toBe('1.2 s');
  });
});
