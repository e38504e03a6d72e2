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
  form: {
    theUrl: 'the URL',
    chooseType: 'Choose at least one event type.',
    url: 'Endpoint URL',
    urlHint: 'An https address that accepts POST requests, e.g. https://example.com/tradehub/webhooks.',
    eventTypes: 'Event types',
    allTypes: 'All event types, including ones added later',
    description: 'Description (optional)',
    descriptionHint: 'A note for your team, one line.',
    cancel: 'Cancel',
  },
  page: {
    title: (account: string) => `Webhook · ${account} · Tradehub`,
    heading: 'Webhook',
    what: 'This webhook',
    loading: 'Loading the webhook…',
    resumed: 'The webhook was resumed: it receives the events recorded from now on.',
    paused: 'The webhook was paused.',
    redelivering: (seq: number, type: string) => `Delivery of event #${seq} (${type}) is being sent again.`,
    healthTitle: (label: string) => `This webhook is ${label}`,
    notDone: 'This was not done',
    settings: 'Settings',
    change: 'Change the webhook',
    save: 'Save changes',
    saving: 'Saving…',
    notChanged: 'The webhook was not changed',
    changed: 'The webhook was changed.',
    url: 'Endpoint URL',
    eventTypes: 'Event types',
    description: 'Description',
    none: 'None',
    health: 'Health',
    failuresInARow: (n: number) => ` · ${n} failed attempts in a row`,
    state: 'State',
    active: 'Active',
    inactive: 'Paused: it receives nothing',
    secret: 'Signing secret',
    previousSecret: (until: string) => ` · the previous secret also signs until ${until}`,
    lastSuccess: 'Last success',
    never: 'Never',
    created: 'Created',
    edit: 'Edit',
    pause: 'Pause',
    resume: 'Resume',
    rotate: 'Rotate secret',
    delete: 'Delete',
    log: 'Delivery log',
    refreshing: 'Refreshing…',
    refresh: 'Refresh',
    noDeliveries: "Nothing was sent yet. Deliveries appear here when the account's events happen.",
    event: 'Event',
    status: 'Status',
    attempts: 'Attempts',
    queued: 'Queued',
    actions: 'Actions',
    nextAttempt: (at: string) => `Next attempt ${at}`,
    noneYet: 'None yet',
    attemptsOf: (id: string) => `Attempts of ${id}`,
    attempt: (n: number) => `Attempt ${n}`,
    redelivery: ' (redelivery)',
    succeeded: 'succeeded',
    failed: 'failed',
    noResponse: 'no response',
    redeliverEvent: (seq: number) => `Redeliver event #${seq}`,
    redeliver: 'Redeliver',
    newSecret: "The webhook's new signing secret",
    rotateTitle: 'Rotate the signing secret?',
    rotating: 'Rotating…',
    rotated: 'The secret was rotated; the previous one keeps signing for 24 hours.',
    rotateBody:
      'A new secret is shown once. The current secret keeps signing next to it for 24 hours, so that you can update your endpoint without missing a delivery.',
    deleteTitle: 'Delete this webhook?',
    deleteConfirm: 'Delete webhook',
    deleting: 'Deleting…',
    deleteBody: 'receives nothing more, its pending deliveries are canceled and its delivery log is deleted. This cannot be undone.',
  },
  secret: {
    warning: 'Copy the signing secret now: it will not be shown again.',
    verifiesBefore: 'Your endpoint verifies the',
    verifiesAfter: 'header with it. If you lose it, rotate the secret to get a new one.',
    label: 'Signing secret',
    copy: 'Copy',
    copied: 'Copied to the clipboard.',
    manual: 'The browser did not allow copying: the secret is selected, press Ctrl+C (⌘C).',
    stored: 'I have stored it',
  },
};

export type WebhookHealthCatalog = typeof health;
export type WebhookDeliveryCatalog = typeof deliveries;
export type WebhookTextsCatalog = typeof texts;

export const webhookHealthTexts = translatable('webhooks', health, { 'zh-CN': webhookHealthZhCN });
export const webhookDeliveryTexts = translatable('webhooks', deliveries, { 'zh-CN': webhookDeliveriesZhCN });
export const webhookTexts = translatable('webhooks', texts, { 'zh-CN': webhookTextsZhCN });
