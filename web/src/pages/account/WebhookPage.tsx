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
import { webhookTexts } from '../../i18n/webhooks';
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
      <title>{webhookTexts.page.title(account.legalName)}</title>
      <div className="page-header">
        <p className="eyebrow">
          <Link href={webhooksPath(account.id)}>{webhookTexts.list.title}</Link> · {account.legalName}
        </p>
        <h1>{webhookTexts.page.heading}</h1>
      </div>
      {!readable ? (
        <NoAccess what={webhookTexts.page.what} />
      ) : (
        <Remote
          value={sub && sub.accountId === account.id ? sub : null}
          result={result}
          what={webhookTexts.page.what}
          onRetry={reload}
          loadingLabel={webhookTexts.page.loading}
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
      setNotice(active ? webhookTexts.page.resumed : webhookTexts.page.paused);
    }
  }

  async function redeliver(delivery: Delivery) {
    const res = await client
      .mutation(RedeliverWebhookDeliveryMutation, { input: { deliveryId: delivery.id } })
      .toPromise();
    const outcome = mutationOutcome(res, (d) => d.redeliverWebhookDelivery);
    report(outcome);
    if (outcome.kind === 'ok') {
      setNotice(webhookTexts.page.redelivering(delivery.eventSeq, delivery.eventType));
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
          <p className="callout-title">{webhookTexts.page.healthTitle(health.label.toLowerCase())}</p>
          <p>{health.notice}</p>
        </div>
      )}
      <FormAlert errors={actionErrors} problem={actionProblem} title={webhookTexts.page.notDone} />

      <section className="card card-wide" aria-labelledby="webhook-heading">
        <div className="card-header">
          <h2 id="webhook-heading">{webhookTexts.page.settings}</h2>
        </div>
        <div className="card-body">
          {editing ? (
            <WebhookForm
              label={webhookTexts.page.change}
              submitLabel={webhookTexts.page.save}
              busyLabel={webhookTexts.page.saving}
              failedTitle={webhookTexts.page.notChanged}
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
                  setNotice(webhookTexts.page.changed);
                }
                return outcome;
              }}
            />
          ) : (
            <>
              <dl className="details" data-testid="webhook-details">
                <dt>{webhookTexts.page.url}</dt>
                <dd>
                  <code>{sub.url}</code>
                </dd>
                <dt>{webhookTexts.page.eventTypes}</dt>
                <dd>{describeEventTypes(sub.eventTypes)}</dd>
                <dt>{webhookTexts.page.description}</dt>
                <dd>{sub.description ?? <span className="muted">{webhookTexts.page.none}</span>}</dd>
                <dt>{webhookTexts.page.health}</dt>
                <dd>
                  <HealthBadge health={sub.health} />
                  {sub.consecutiveFailures > 0 && webhookTexts.page.failuresInARow(sub.consecutiveFailures)}
                </dd>
                <dt>{webhookTexts.page.state}</dt>
                <dd>{sub.active ? webhookTexts.page.active : webhookTexts.page.inactive}</dd>
                <dt>{webhookTexts.page.secret}</dt>
                <dd>
                  <code>{sub.secretHint}</code>
                  {sub.previousSecretExpiresAt &&
                    webhookTexts.page.previousSecret(formatDateTime(sub.previousSecretExpiresAt))}
                </dd>
                <dt>{webhookTexts.page.lastSuccess}</dt>
                <dd>{sub.lastSuccessAt ? formatDateTime(sub.lastSuccessAt) : <span className="muted">{webhookTexts.page.never}</span>}</dd>
                <dt>{webhookTexts.page.created}</dt>
                <dd>{formatDateTime(sub.createdAt)}</dd>
              </dl>
              {manage && (
                <div className="webhook-actions">
                  <button type="button" className="button button-secondary" onClick={() => setEditing(true)}>
                    {webhookTexts.page.edit}
                  </button>
                  <button
                    type="button"
                    className="button button-secondary"
                    disabled={busy}
                    onClick={() => void setActive(!sub.active)}
                  >
                    {sub.active ? webhookTexts.page.pause : webhookTexts.page.resume}
                  </button>
                  <button type="button" className="button button-secondary" onClick={() => setConfirm('rotate')}>
                    {webhookTexts.page.rotate}
                  </button>
                  <button
                    type="button"
                    className="button button-secondary button-danger-text"
                    onClick={() => setConfirm('delete')}
                  >
                    {webhookTexts.page.delete}
                  </button>
                </div>
              )}
            </>
          )}
        </div>
      </section>

      <section className="card card-wide" aria-labelledby="deliveries-heading">
        <div className="card-header">
          <h2 id="deliveries-heading">{webhookTexts.page.log}</h2>
          <button type="button" className="button button-secondary button-small" onClick={onReload} disabled={refreshing}>
            {refreshing ? webhookTexts.page.refreshing : webhookTexts.page.refresh}
          </button>
        </div>
        {sub.deliveries.nodes.length === 0 ? (
          <div className="card-body">
            <p className="muted">{webhookTexts.page.noDeliveries}</p>
          </div>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="deliveries">
              <thead>
                <tr>
                  <th scope="col">{webhookTexts.page.event}</th>
                  <th scope="col">{webhookTexts.page.status}</th>
                  <th scope="col">{webhookTexts.page.attempts}</th>
                  <th scope="col">{webhookTexts.page.queued}</th>
                  {manage && (
                    <th scope="col">
                      <span className="visually-hidden">{webhookTexts.page.actions}</span>
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
                        <span className="muted table-sub">{webhookTexts.page.nextAttempt(formatDateTime(d.nextAttemptAt))}</span>
                      )}
                    </td>
                    <td>
                      {d.attempts.length === 0 ? (
                        <span className="muted">{webhookTexts.page.noneYet}</span>
                      ) : (
                        <ol className="webhook-attempts" reversed aria-label={webhookTexts.page.attemptsOf(d.id)}>
                          {d.attempts.map((a) => (
                            <li key={a.attemptNumber} data-attempt={a.attemptNumber} data-succeeded={a.succeeded}>
                              {webhookTexts.page.attempt(a.attemptNumber)}
                              {a.manual && webhookTexts.page.redelivery}: {a.succeeded ? webhookTexts.page.succeeded : webhookTexts.page.failed} ·{' '}
                              {a.responseStatusCode === null ? webhookTexts.page.noResponse : `HTTP ${a.responseStatusCode}`} ·{' '}
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
                          aria-label={webhookTexts.page.redeliverEvent(d.eventSeq)}
                        >
                          {webhookTexts.page.redeliver}
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

      {secret && <SecretDialog title={webhookTexts.page.newSecret} secret={secret} onClose={() => setSecret(null)} />}

      <ConfirmDialog
        open={confirm === 'rotate'}
        title={webhookTexts.page.rotateTitle}
        confirmLabel={webhookTexts.page.rotate}
        busyLabel={webhookTexts.page.rotating}
        onCancel={() => setConfirm(null)}
        onConfirm={async () => {
          const res = await client.mutation(RotateWebhookSecretMutation, { input: { subscriptionId: sub.id } }).toPromise();
          const outcome = mutationOutcome(res, (d) => d.rotateWebhookSecret);
          if (outcome.kind === 'ok') {
            setConfirm(null);
            setSecret(outcome.payload.secret ?? null);
            setNotice(webhookTexts.page.rotated);
          }
          return outcome;
        }}
      >
        <p>{webhookTexts.page.rotateBody}</p>
      </ConfirmDialog>

      <ConfirmDialog
        open={confirm === 'delete'}
        title={webhookTexts.page.deleteTitle}
        confirmLabel={webhookTexts.page.deleteConfirm}
        busyLabel={webhookTexts.page.deleting}
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
          <code>{sub.url}</code> {webhookTexts.page.deleteBody}
        </p>
      </ConfirmDialog>
    </>
  );
}
