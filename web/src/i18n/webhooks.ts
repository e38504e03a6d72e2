// Texts of the webhooks pages that come from the API's codes: a subscription's health and a
// delivery's status. Chinese in i18n/zh-CN/webhooks.ts.
import type { WebhookDeliveryStatus, WebhookHealth } from '../gql/graphql';
import { translatable } from './locale';
import { webhookDeliveriesZhCN, webhookHealthZhCN, webhookTextsZhCN } from './zh-CN/webhooks';

export interface HealthText {
  label: string;
  /** A badge class: success, warning, danger or neutral (the same in every language). */
  tone: 'success' | 'warning' | 'danger' | 'neutral';
  /** What it means and what to do, for WARNING, UNHEALTHY and DISABLED; null when healthy. */
  notice: string | null;
}

const health: Record<WebhookHealth, HealthText> = {
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

const deliveries: Record<WebhookDeliveryStatus, { label: string; tone: HealthText['tone'] }> = {
  PENDING: { label: 'Pending', tone: 'neutral' },
  SUCCEEDED: { label: 'Succeeded', tone: 'success' },
  FAILED: { label: 'Failed', tone: 'danger' },
  CANCELED: { label: 'Canceled', tone: 'neutral' },
};

const texts = {
  allEventTypes: 'All event types',
  list: {
    title: 'Webhooks',
    lead: "Tradehub POSTs this account's events to your endpoints, signed with each webhook's secret, and retries failed deliveries for 24 hours.",
    what: 'The webhooks of this account',
    loading: 'Loading the webhooks…',
    endpoints: 'Endpoints',
    none: 'This account has no webhooks.',
    endpoint: 'Endpoint',
    eventTypes: 'Event types',
    health: 'Health',
    state: 'State',
    created: 'Created',
    active: 'Active',
    paused: 'Paused',
    add: 'Add a webhook',
    submit: 'Add webhook',
    adding: 'Adding…',
    notAdded: 'The webhook was not added',
    added: (url: string) => `The webhook for ${url} was added.`,
    secretTitle: "Your new webhook's signing secret",
  },
};

export type WebhookHealthCatalog = typeof health;
export type WebhookDeliveryCatalog = typeof deliveries;
export type WebhookTextsCatalog = typeof texts;

export const webhookHealthTexts = translatable('webhooks', health, { 'zh-CN': webhookHealthZhCN });
export const webhookDeliveryTexts = translatable('webhooks', deliveries, { 'zh-CN': webhookDeliveriesZhCN });
export const webhookTexts = translatable('webhooks', texts, { 'zh-CN': webhookTextsZhCN });
