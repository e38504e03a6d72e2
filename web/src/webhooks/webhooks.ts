// What the webhooks pages decide without React: how a subscription's health reads, which event
// types a form sends, and the paths of the pages.
import type { WebhookDeliveryStatus, WebhookHealth } from '../gql/graphql';

export interface HealthText {
  label: string;
  /** A badge class: success, warning, danger or neutral. */
  tone: 'success' | 'warning' | 'danger' | 'neutral';
  /** What it means and what to do, for WARNING, UNHEALTHY and DISABLED; null when healthy. */
  notice: string | null;
}

export const healthTexts: Readonly<Record<WebhookHealth, HealthText>> = {
  HEALTHY: { label: 'Healthy', tone: 'success', notice: null },
  WARNING: {
    label: 'Warning',
    tone: 'warning',
    notice: 'Its endpoint failed 3 or more times in a row. Tradehub keeps retrying; check that the endpoint is up.',
  },
  UNHEALTHY: {
    label: 'Unhealthy',
    tone: 'danger',
    notice:
      'Its endpoint has been failing for an hour or more. After 24 hours of failures the webhook is disabled and its pending deliveries are canceled: fix the endpoint now.',
  },
  DISABLED: {
    label: 'Disabled',
    tone: 'danger',
    notice:
      'Its endpoint failed for 24 hours, so Tradehub stopped sending to it and canceled its pending deliveries. Fix the endpoint, then resume the webhook; reconcile missed events with the events feed.',
  },
};

export const deliveryStatusTexts: Readonly<Record<WebhookDeliveryStatus, { label: string; tone: HealthText['tone'] }>> = {
  PENDING: { label: 'Pending', tone: 'neutral' },
  SUCCEEDED: { label: 'Succeeded', tone: 'success' },
  FAILED: { label: 'Failed', tone: 'danger' },
  CANCELED: { label: 'Canceled', tone: 'neutral' },
};

/** The badge class of a tone. */
export function badgeClass(tone: HealthText['tone']): string {
  return tone === 'neutral' ? 'badge badge-neutral' : `badge badge-${tone}`;
}

/** `["*"]` means every event type. */
export const allEventTypes = '*';

/** How a subscription's event types read: "All event types" for `["*"]`. */
export function describeEventTypes(types: readonly string[]): string {
  if (types.includes(allEventTypes)) {
    return 'All event types';
  }
  return types.join(', ');
}

/**
 * The event types a form sends: `["*"]` when "all" is chosen, else the chosen types in the order
 * of the server's list (unknown ones kept at the end, so that the server names them).
 */
export function chosenEventTypes(all: boolean, chosen: Iterable<string>, known: readonly string[]): string[] {
  if (all) {
    return [allEventTypes];
  }
  const set = new Set(chosen);
  set.delete(allEventTypes);
  const ordered = known.filter((t) => set.has(t));
  for (const t of set) {
    if (!known.includes(t)) {
      ordered.push(t);
    }
  }
  return ordered;
}

/** The path of the webhooks page, or of one subscription's page. */
export function webhooksPath(accountId: string, subscriptionId?: string): string {
  const base = `/accounts/${encodeURIComponent(accountId)}/webhooks`;
  return subscriptionId ? `${base}/${encodeURIComponent(subscriptionId)}` : base;
}

/** A latency in milliseconds, e.g. "84 ms", "1.2 s". */
export function formatLatency(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
