import { describe, expect, it } from 'vitest';
import type { FulfilmentOrderStatus } from '../gql/graphql';
import { orderStatuses } from './filters';
import { orderActions, orderProgress, reservation, type OrderAction, type OrderTimes } from './orders';

describe('orderActions: what each status allows', () => {
  const want: Record<FulfilmentOrderStatus, OrderAction[]> = {
    PENDING: [],
    BACKORDERED: ['cancel'],
    RESERVED: ['pick', 'cancel'],
    PICKED: ['pack', 'cancel'],
    PACKED: ['ship', 'cancel'],
    SHIPPED: ['deliver'],
    DELIVERED: [],
    CANCELLED: [],
  };
  for (const status of orderStatuses) {
    it(status, () => expect(orderActions(status)).toEqual(want[status]));
  }
  it('nothing can be cancelled once it left the warehouse', () => {
    for (const status of ['SHIPPED', 'DELIVERED', 'CANCELLED'] as const) {
      expect(orderActions(status)).not.toContain('cancel');
    }
  });
  it('at most one step forward is offered', () => {
    for (const status of orderStatuses) {
      expect(orderActions(status).filter((a) => a !== 'cancel').length).toBeLessThanOrEqual(1);
    }
  });
});

describe('orderProgress', () => {
  const base: OrderTimes = {
    status: 'RESERVED',
    createdAt: '2026-11-21T08:00:00Z',
    updatedAt: '2026-11-21T08:00:00Z',
  };
  const steps = (o: OrderTimes) => orderProgress(o).map((s) => `${s.step}:${s.state}:${s.at ?? '-'}`);

  it('a reserved order: created, reserved now, the rest ahead', () => {
    expect(steps(base)).toEqual([
      'CREATED:done:2026-11-21T08:00:00Z',
      'RESERVED:current:2026-11-21T08:00:00Z',
      'PICKED:upcoming:-',
      'PACKED:upcoming:-',
      'SHIPPED:upcoming:-',
      'DELIVERED:upcoming:-',
    ]);
  });

  it('a packed order: the steps passed have no time the API records', () => {
    expect(steps({ ...base, status: 'PACKED', updatedAt: '2026-11-21T10:00:00Z' })).toEqual([
      'CREATED:done:2026-11-21T08:00:00Z',
      'RESERVED:done:-',
      'PICKED:done:-',
      'PACKED:current:2026-11-21T10:00:00Z',
      'SHIPPED:upcoming:-',
      'DELIVERED:upcoming:-',
    ]);
  });

  it('a delivered order has its ship and delivery times', () => {
    expect(
      steps({
        ...base,
        status: 'DELIVERED',
        shippedAt: '2026-11-21T12:00:00Z',
        deliveredAt: '2026-11-23T09:00:00Z',
        updatedAt: '2026-11-23T09:00:00Z',
      }).slice(4),
    ).toEqual(['SHIPPED:done:2026-11-21T12:00:00Z', 'DELIVERED:current:2026-11-23T09:00:00Z']);
  });

  it('a backordered order waits before "reserved"', () => {
    expect(steps({ ...base, status: 'BACKORDERED' }).slice(0, 3)).toEqual([
      'CREATED:done:2026-11-21T08:00:00Z',
      'BACKORDERED:current:2026-11-21T08:00:00Z',
      'RESERVED:upcoming:-',
    ]);
  });

  it('a cancelled order ends at its cancellation', () => {
    expect(steps({ ...base, status: 'CANCELLED', cancelledAt: '2026-11-21T09:30:00Z' })).toEqual([
      'CREATED:done:2026-11-21T08:00:00Z',
      'CANCELLED:current:2026-11-21T09:30:00Z',
    ]);
  });

  it('exactly one current step whatever the status', () => {
    for (const status of orderStatuses) {
      const current = orderProgress({ ...base, status }).filter((s) => s.state === 'current');
      expect(current.length, status).toBeLessThanOrEqual(1);
    }
  });
});

describe('reservation', () => {
  it('adds up the lines and what is missing', () => {
    expect(reservation([{ quantity: 5, reserved: 5 }, { quantity: 3, reserved: 0 }])).toEqual({ ordered: 8, reserved: 5, missing: 3 });
    expect(reservation([])).toEqual({ ordered: 0, reserved: 0, missing: 0 });
  });
});
