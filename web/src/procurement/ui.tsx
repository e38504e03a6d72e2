import type { ReactNode } from 'react';
import type { PurchaseOrderStatus, RfqStatus, SupplierQuoteStatus } from '../gql/graphql';
import { procurementMessages as t } from '../i18n/procurement';

const rfqBadge: Record<RfqStatus, string> = {
  DRAFT: 'badge',
  OPEN: 'badge badge-neutral',
  CLOSED: 'badge badge-warning',
  AWARDED: 'badge badge-success',
  CANCELLED: 'badge',
};

const poBadge: Record<PurchaseOrderStatus, string> = {
  ISSUED: 'badge badge-neutral',
  CONFIRMED: 'badge badge-neutral',
  SHIPPED: 'badge badge-neutral',
  PARTIALLY_RECEIVED: 'badge badge-warning',
  RECEIVED: 'badge badge-success',
  CLOSED: 'badge',
  CANCELLED: 'badge',
};

const quoteBadge: Record<SupplierQuoteStatus, string> = {
  SUBMITTED: 'badge badge-neutral',
  AWARDED: 'badge badge-success',
  NOT_AWARDED: 'badge',
};

export function RfqStatusBadge({ status }: { status: RfqStatus }) {
  return (
    <span className={rfqBadge[status]} data-status={status}>
      {t.rfqStatuses[status]}
    </span>
  );
}

export function PurchaseOrderStatusBadge({ status }: { status: PurchaseOrderStatus }) {
  return (
    <span className={poBadge[status]} data-status={status}>
      {t.poStatuses[status]}
    </span>
  );
}

export function QuoteStatusBadge({ status }: { status: SupplierQuoteStatus }) {
  return (
    <span className={quoteBadge[status]} data-status={status}>
      {t.quoteStatuses[status]}
    </span>
  );
}

/** A receiving progress bar with its percentage as text. */
export function Progress({ percent, label }: { percent: number; label: string }) {
  return (
    <span className="progress" data-testid="receiving-progress">
      <progress max={100} value={percent} aria-label={label} /> {percent} %
    </span>
  );
}

/** userErrors of a mutation, or a top-level failure, read aloud when they appear. */
export function Errors({ errors }: { errors: readonly { message: string }[] }) {
  if (errors.length === 0) {
    return null;
  }
  return (
    <div className="callout callout-error" role="alert" data-testid="form-errors">
      <ul>
        {errors.map((e, i) => (
          <li key={i}>{e.message}</li>
        ))}
      </ul>
    </div>
  );
}

export function Section({ id, title, children, actions }: { id: string; title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="card card-wide" aria-labelledby={id}>
      <div className="card-header">
        <h2 id={id}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}
