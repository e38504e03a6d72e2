import type { ShipmentStatus } from '../gql/graphql';
import { transportMessages as t } from '../i18n/transport';

const badge: Record<ShipmentStatus, string> = {
  BOOKED: 'badge badge-neutral',
  PICKED_UP: 'badge badge-neutral',
  IN_TRANSIT: 'badge badge-neutral',
  CUSTOMS_HOLD: 'badge badge-warning',
  CUSTOMS_CLEARED: 'badge badge-neutral',
  OUT_FOR_DELIVERY: 'badge badge-neutral',
  DELIVERED: 'badge badge-success',
  EXCEPTION: 'badge badge-warning',
  RETURNED_TO_SENDER: 'badge',
  LOST: 'badge badge-warning',
};

export function ShipmentStatusBadge({ status }: { status: ShipmentStatus }) {
  return (
    <span className={badge[status]} data-status={status}>
      {t.statuses[status]}
    </span>
  );
}
