// What the webhooks pages decide without React: how a subscription's health reads, which event
// types a form sends, and the paths of the pages.
import { webhookDeliveryTexts, webhookHealthTexts, webhookTexts, type HealthText } from '../i18n/webhooks';

export type { HealthText } from '../i18n/webhooks';

/** A subscription's health in words (the current language), with its badge tone. */
export const healthTexts = webhookHealthTexts;

/** A delivery's status in words, with its badge tone. */
export const deliveryStatusTexts = webhookDeliveryTexts;

/** The badge class of a tone. */
export function badgeClass(tone: HealthText['tone']): string {
  return tone === 'neutral' ? 'badge badge-neutral' : `badge badge-${tone}`;
}

/** `["*"]` means every event type. */
export const allEventTypes = '*';

/** How a subscription's event types read: "All event types" for `["*"]`. */
export function describeEventTypes(types: readonly string[]): string {
  if (types.includes(allEventTypes)) {
    return webhookTexts.allEventTypes;
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
