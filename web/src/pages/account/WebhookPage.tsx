import { useEffect, useState } from 'react';
import { useClient, useQuery } from 'urql';
import { Link, useLocation, useParams } from 'wouter';
import { canManageWebhooks, canReadWebhooks } from '../../access/access';
import { useAccount } from '../../app/account';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { FormAlert } from '../../components/Form';
import { Remote } from '../../components/Remote';
import { NoAccess } from '../../components/States';
import { graphql } from '../../gql';
import type { WebhookSubscriptionDetailQuery } from '../../gql/graphql';
import type { Problem } from '../../graphql/errors';
import { mutationOutcome, type MutationOutcome } from '../../graphql/mutations';
import { formatDateTime, type UserErrorLike } from '../../i18n/messages';
import { HealthBadge, SecretDialog, WebhookForm } from '../../webhooks/ui';
import {
  badgeClass,
  deliveryStatusTexts,
  describeEventTypes,
  formatLatency,
  healthTexts,
  webhooksPath,
} from '../../webhooks/webhooks';
import '../../webhooks/webhooks.css';

export const WebhookSubscriptionDetailDoc = graphql(`
  query WebhookSubscriptionDetail($id: ID!) {
    webhookSubscription(id: $id) {
      id
      accountId
      url
      description
      eventTypes
      active
      health
      consecutiveFailures
      failingSince
      lastSuccessAt
      lastFailureAt
      disabledAt
      secretHint
      previousSecretExpiresAt
      createdAt
      updatedAt
      deliveries(first: 50) {
        nodes {
          id
          eventId
          eventType
          eventSeq
          status
          attemptCount
          nextAttemptAt
          lastAttemptAt
          lastResponseStatusCode
          lastError
          createdAt
          completedAt
          attempts {
            attemptNumber
            at
            manual
            responseStatusCode
            latencyMs
            succeeded
            error
          }
        }
      }
    }
    webhookEventTypes
  }
`);


export const UpdateWebhookSubscriptionMutation = graphql(`
  mutation UpdateWebhookSubscription($input: UpdateWebhookSubscriptionInput!) {
    updateWebhookSubscription(input: $input) {
      webhookSubscription {
        id
        url
        description
        eventTypes
        active
        health
        updatedAt
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

export const RotateWebhookSecretMutation = graphql(`
  mutation RotateWebhookSecret($input: RotateWebhookSecretInput!) {
    rotateWebhookSecret(input: $input) {
      webhookSubscription {
        id
        secretHint
        previousSecretExpiresAt
      }
      secret
      userErrors {
        code
        field
        message
      }
    }
  }
`);

export const DeleteWebhookSubscriptionMutation = graphql(`
  mutation DeleteWebhookSubscription($input: DeleteWebhookSubscriptionInput!) {
    deleteWebhookSubscription(input: $input) {
      deletedWebhookSubscriptionId
      userErrors {
        code
        field
        message
      }
    }
  }
`);

export const RedeliverWebhookDeliveryMutation = graphql(`
  mutation RedeliverWebhookDelivery($input: RedeliverWebhookDeliveryInput!) {
    redeliverWebhookDelivery(input: $input) {
      webhookDelivery {
        id
        status
        nextAttemptAt
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const detailContext = { additionalTypenames: ['WebhookSubscription', 'WebhookDelivery'] };

type Subscription = NonNullable<WebhookSubscriptionDetailQuery['webhookSubscription']>;
type Delivery = Subscription['deliveries']['nodes'][number];

/**
 * `/accounts/:id/webhooks/:subscriptionId`: one webhook, its health, its settings (OWNER and
 * ADMIN change, pause, resume, rotate and delete it) and its delivery log, newest first, with a
 * Redeliver action.
 */
export default function WebhookPage() {
  const { account, access, readOnly } = useAccount();
  const params = useParams<{ subscriptionId: string }>();
  const subscriptionId = params.subscriptionId ?? '';
  const readable = canReadWebhooks(access);
  const manage = canManageWebhooks(access) && !readOnly;
  const [result, refetch] = useQuery({
    query: WebhookSubscriptionDetailDoc,
    variables: { id: subscriptionId },
    context: detailContext,
    pause: !readable,
  });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const sub = result.data?.webhookSubscription;
  const pending = sub?.deliveries.nodes.some((d) => d.status === 'PENDING') ?? false;

  // While a delivery is pending, its next attempt may come any moment: look again every few seconds.
  useEffect(() => {
    if (!pending || result.fetching) {
      return;
    }
    const timer = setTimeout(() => refetch({ requestPolicy: 'network-only' }), 3000);
    return () => clearTimeout(timer);
  }, [pending, result.fetching, refetch]);

  return (
    <>
      <title>{`Webhook · ${account.legalName} · Tradehub`}</title>
      <div className="page-header">
        <p className="eyebrow">
          <Link href={webhooksPath(account.id)}>Webhooks</Link> · {account.legalName}
        </p>
        <h1>Webhook</h1>
      </div>
      {!readable ? (
        <NoAccess what="This webhook" />
      ) : (
        <Remote
          value={sub && sub.accountId === account.id ? sub : null}
          result={result}
          what="This webhook"
          onRetry={reload}
          loadingLabel="Loading the webhook…"
        >
          {(s) => (
            <SubscriptionView
              sub={s}
              known={result.data?.webhookEventTypes ?? []}
              manage={manage}
              accountId={account.id}
              onReload={reload}
              refreshing={result.fetching}
            />
          )}
        </Remote>
      )}
    </>
  );
}

function SubscriptionView({
  sub,
  known,
  manage,
  accountId,
  onReload,
  refreshing,
}: {
  sub: Subscription;
  known: readonly string[];
  manage: boolean;
  accountId: string;
  onReload: () => void;
  refreshing: boolean;
}) {
  const client = useClient();
  const [, navigate] = useLocation();
  const [notice, setNotice] = useState('');
  const [editing, setEditing] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<'rotate' | 'delete' | null>(null);
  const [actionErrors, setActionErrors] = useState<UserErrorLike[]>([]);
  const [actionProblem, setActionProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const health = healthTexts[sub.health];

  function report(outcome: MutationOutcome<unknown>) {
    setActionErrors(outcome.kind === 'refused' ? outcome.errors : []);
    setActionProblem(outcome.kind === 'failed' ? outcome.problem : null);
  }

  async function setActive(active: boolean) {
    setBusy(true);
    const res = await client
      .mutation(UpdateWebhookSubscriptionMutation, { input: { subscriptionId: sub.id, active } })
      .toPromise();
    setBusy(false);
    const outcome = mutationOutcome(res, (d) => d.updateWebhookSubscription);
    report(outcome);
    if (outcome.kind === 'ok') {
      setNotice(active ? 'The webhook was resumed: it receives the events recorded from now on.' : 'The webhook was paused.');
    }
  }

  async function redeliver(delivery: Delivery) {
    const res = await client
      .mutation(RedeliverWebhookDeliveryMutation, { input: { deliveryId: delivery.id } })
      .toPromise();
    const outcome = mutationOutcome(res, (d) => d.redeliverWebhookDelivery);
    report(outcome);
    if (outcome.kind === 'ok') {
      setNotice(`Delivery of event #${delivery.eventSeq} (${delivery.eventType}) is being sent again.`);
    }
  }

  return (
    <>
      <p className="notice" role="status" aria-live="polite">
        {notice}
      </p>
      {health.notice && (
        <div
          className={`callout ${sub.health === 'WARNING' ? 'callout-warning' : 'callout-danger'}`}
          role="note"
          data-testid="health-notice"
        >
          <p className="callout-title">This webhook is {health.label.toLowerCase()}</p>
          <p>{health.notice}</p>
        </div>
      )}
      <FormAlert errors={actionErrors} problem={actionProblem} title="This was not done" />

      <section className="card card-wide" aria-labelledby="webhook-heading">
        <div className="card-header">
          <h2 id="webhook-heading">Settings</h2>
        </div>
        <div className="card-body">
          {editing ? (
            <WebhookForm
              label="Change the webhook"
              submitLabel="Save changes"
              busyLabel="Saving…"
              failedTitle="The webhook was not changed"
              known={known}
              initial={{ url: sub.url, eventTypes: sub.eventTypes, description: sub.description ?? '' }}
              onCancel={() => setEditing(false)}
              onSubmit={async (values) => {
                const res = await client
                  .mutation(UpdateWebhookSubscriptionMutation, {
                    input: {
                      subscriptionId: sub.id,
                      url: values.url,
                      eventTypes: values.eventTypes,
                      description: values.description,
                    },
                  })
                  .toPromise();
                const outcome = mutationOutcome(res, (d) => d.updateWebhookSubscription);
                if (outcome.kind === 'ok') {
                  setEditing(false);
                  setNotice('The webhook was changed.');
                }
                return outcome;
              }}
            />
          ) : (
            <>
              <dl className="details" data-testid="webhook-details">
                <dt>Endpoint URL</dt>
                <dd>
                  <code>{sub.url}</code>
                </dd>
                <dt>Event types</dt>
                <dd>{describeEventTypes(sub.eventTypes)}</dd>
                <dt>Description</dt>
                <dd>{sub.description ?? <span className="muted">None</span>}</dd>
                <dt>Health</dt>
                <dd>
                  <HealthBadge health={sub.health} />
                  {sub.consecutiveFailures > 0 && ` · ${sub.consecutiveFailures} failed attempts in a row`}
                </dd>
                <dt>State</dt>
                <dd>{sub.active ? 'Active' : 'Paused: it receives nothing'}</dd>
                <dt>Signing secret</dt>
                <dd>
                  <code>{sub.secretHint}</code>
                  {sub.previousSecretExpiresAt &&
                    ` · the previous secret also signs until ${formatDateTime(sub.previousSecretExpiresAt)}`}
                </dd>
                <dt>Last success</dt>
                <dd>{sub.lastSuccessAt ? formatDateTime(sub.lastSuccessAt) : <span className="muted">Never</span>}</dd>
                <dt>Created</dt>
                <dd>{formatDateTime(sub.createdAt)}</dd>
              </dl>
              {manage && (
                <div className="webhook-actions">
                  <button type="button" className="button button-secondary" onClick={() => setEditing(true)}>
                    Edit
                  </button>
                  <button
                    type="button"
                    className="button button-secondary"
                    disabled={busy}
                    onClick={() => void setActive(!sub.active)}
                  >
                    {sub.active ? 'Pause' : 'Resume'}
                  </button>
                  <button type="button" className="button button-secondary" onClick={() => setConfirm('rotate')}>
                    Rotate secret
                  </button>
                  <button
                    type="button"
                    className="button button-secondary button-danger-text"
                    onClick={() => setConfirm('delete')}
                  >
                    Delete
                  </button>
                </div>
              )}
            </>
          )}
        </div>
      </section>

      <section className="card card-wide" aria-labelledby="deliveries-heading">
        <div className="card-header">
          <h2 id="deliveries-heading">Delivery log</h2>
          <button type="button" className="button button-secondary button-small" onClick={onReload} disabled={refreshing}>
            {refreshing ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
        {sub.deliveries.nodes.length === 0 ? (
          <div className="card-body">
            <p className="muted">Nothing was sent yet. Deliveries appear here when the account's events happen.</p>
          </div>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="deliveries">
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Status</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Queued</th>
                  {manage && (
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {sub.deliveries.nodes.map((d) => (
                  <tr key={d.id} data-delivery-id={d.id} data-status={d.status}>
                    <td>
                      <code>{d.eventType}</code>
                      <span className="muted table-sub">#{d.eventSeq} · {d.id}</span>
                    </td>
                    <td>
                      <span className={badgeClass(deliveryStatusTexts[d.status].tone)}>
                        {deliveryStatusTexts[d.status].label}
                      </span>
                      {d.status === 'PENDING' && d.nextAttemptAt && (
                        <span className="muted table-sub">Next attempt {formatDateTime(d.nextAttemptAt)}</span>
                      )}
                    </td>
                    <td>
                      {d.attempts.length === 0 ? (
                        <span className="muted">None yet</span>
                      ) : (
                        <ol className="webhook-attempts" reversed aria-label={`Attempts of ${d.id}`}>
                          {d.attempts.map((a) => (
                            <li key={a.attemptNumber} data-attempt={a.attemptNumber} data-succeeded={a.succeeded}>
                              Attempt {a.attemptNumber}
                              {a.manual && ' (redelivery)'}: {a.succeeded ? 'succeeded' : 'failed'} ·{' '}
                              {a.responseStatusCode === null ? 'no response' : `HTTP ${a.responseStatusCode}`} ·{' '}
                              {formatLatency(a.latencyMs)} · {formatDateTime(a.at)}
                              {a.error && <span className="muted table-sub">{a.error}</span>}
                            </li>
                          ))}
                        </ol>
                      )}
                    </td>
                    <td>{formatDateTime(d.createdAt)}</td>
                    {manage && (
                      <td className="table-actions">
                        <button
                          type="button"
                          className="button button-secondary button-small"
                          disabled={!sub.active}
                          onClick={() => void redeliver(d)}
                          aria-label={`Redeliver event #${d.eventSeq}`}
                        >
                          Redeliver
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {secret && <SecretDialog title="The webhook's new signing secret" secret={secret} onClose={() => setSecret(null)} />}

      <ConfirmDialog
        open={confirm === 'rotate'}
        title="Rotate the signing secret?"
        confirmLabel="Rotate secret"
        busyLabel="Rotating…"
        onCancel={() => setConfirm(null)}
        onConfirm={async () => {
          const res = await client.mutation(RotateWebhookSecretMutation, { input: { subscriptionId: sub.id } }).toPromise();
          const outcome = mutationOutcome(res, (d) => d.rotateWebhookSecret);
          if (outcome.kind === 'ok') {
            setConfirm(null);
            setSecret(outcome.payload.secret ?? null);
            setNotice('The secret was rotated; the previous one keeps signing for 24 hours.');
          }
          return outcome;
        }}
      >
        <p>
          A new secret is shown once. The current secret keeps signing next to it for 24 hours, so that you can
          update your endpoint without missing a delivery.
        </p>
      </ConfirmDialog>

      <ConfirmDialog
        open={confirm === 'delete'}
        title="Delete this webhook?"
        confirmLabel="Delete webhook"
        busyLabel="Deleting…"
        onCancel={() => setConfirm(null)}
        onConfirm={async () => {
          const res = await client
            .mutation(DeleteWebhookSubscriptionMutation, { input: { subscriptionId: sub.id } })
            .toPromise();
          const outcome = mutationOutcome(res, (d) => d.deleteWebhookSubscription);
          if (outcome.kind === 'ok') {
            setConfirm(null);
            navigate(webhooksPath(accountId));
          }
          return outcome;
        }}
      >
        <p>
          <code>{sub.url}</code> receives nothing more, its pending deliveries are canceled and its delivery log is
          deleted. This cannot be undone.
        </p>
      </ConfirmDialog>
    </>
  );
}
