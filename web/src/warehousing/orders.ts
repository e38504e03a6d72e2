// What the portal offers for a fulfilment order, decided from its status alone. The server
// decides again (an out-of-order change is an INVALID_TRANSITION userError); this only keeps
// the page from offering what would be refused.

import type { FulfilmentOrderStatus } from '../gql/graphql';

/** A change of an order's status that a person can ask for. */
export type OrderAction = 'pick' | 'pack' | 'ship' | 'deliver' | 'cancel';

/**
 * The actions an order's status allows, in the order the page shows them (the next step first,
 * cancel last). As the API documents: pick a RESERVED order, pack a PICKED one, ship a PACKED
 * one, deliver a SHIPPED one; cancel anything not yet shipped (BACKORDERED to PACKED). A PENDING
 * order is being allocated at this moment: nothing until it settles.
 */
export function orderActions(status: FulfilmentOrderStatus): OrderAction[] {
  switch (status) {
    case 'BACKORDERED':
      return ['cancel'];
    case 'RESERVED':
      return ['pick', 'cancel'];
    case 'PICKED':
      return ['pack', 'cancel'];
    case 'PACKED':
      return ['ship', 'cancel'];
    case 'SHIPPED':
      return ['deliver'];
    case 'PENDING':
    case 'DELIVERED':
    case 'CANCELLED':
      return [];
  }
}

/** The steps of an order's way, as the progress list shows them. */
export type OrderStep = 'CREATED' | 'BACKORDERED' | 'RESERVED' | 'PICKED' | 'PACKED' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED';

export interface OrderProgressStep {
  step: OrderStep;
  state: 'done' | 'current' | 'upcoming';
  /** When the order reached it, where the API says (null: reached, time not recorded). */
  at: string | null;
}

/** The parts of an order its progress is told from. */
export interface OrderTimes {
  status: FulfilmentOrderStatus;
  createdAt: string;
  updatedAt: string;
  shippedAt?: string | null | undefined;
  deliveredAt?: string | null | undefined;
  cancelledAt?: string | null | undefined;
}

const forward: readonly OrderStep[] = ['RESERVED', 'PICKED', 'PACKED', 'SHIPPED', 'DELIVERED'];

/**
 * The order's progress: created, then reserved, picked, packed, shipped, delivered, with the
 * current step marked. The API records when an order was created, shipped, delivered and
 * cancelled, and when it last changed; the time of a step in between is known only while it is
 * the current one (updatedAt). A backordered order shows "Backordered" as its current step before
 * "Reserved"; a cancelled one ends at "Cancelled" after the steps it certainly passed.
 */
export function orderProgress(order: OrderTimes): OrderProgressStep[] {
  const created: OrderProgressStep = { step: 'CREATED', state: 'done', at: order.createdAt };
  const known: Partial<Record<OrderStep, string | null>> = {
    SHIPPED: order.shippedAt ?? null,
    DELIVERED: order.deliveredAt ?? null,
  };

  if (order.status === 'CANCELLED') {
    // Cancelling is refused once shipped, so what it passed is unknown beyond creation.
    return [created, { step: 'CANCELLED', state: 'current', at: order.cancelledAt ?? order.updatedAt }];
  }
  if (order.status === 'PENDING') {
    return [created, ...forward.map((step): OrderProgressStep => ({ step, state: 'upcoming', at: null }))];
  }
  if (order.status === 'BACKORDERED') {
    return [
      created,
      { step: 'BACKORDERED', state: 'current', at: order.updatedAt },
      ...forward.map((step): OrderProgressStep => ({ step, state: 'upcoming', at: null })),
    ];
  }
  const reached = forward.indexOf(order.status);
  return [
    created,
    ...forward.map((step, i): OrderProgressStep => {
      if (i < reached) {
        return { step, state: 'done', at: known[step] ?? null };
      }
      if (i === reached) {
        return { step, state: 'current', at: known[step] ?? order.updatedAt };
      }
      return { step, state: 'upcoming', at: null };
    }),
  ];
}

/** An order line as far as its reservation goes. */
export interface ReservableLine {
  quantity: number;
  reserved: number;
}

/** Units ordered, reserved, and still missing for the order (a backorder waits for these). */
export function reservation(lines: readonly ReservableLine[]): { ordered: number; reserved: number; missing: number } {
  let ordered = 0;
  let reserved = 0;
  for (const l of lines) {
    ordered += l.quantity;
    reserved += l.reserved;
  }
  return { ordered, reserved, missing: Math.max(0, ordered - reserved) };
}
