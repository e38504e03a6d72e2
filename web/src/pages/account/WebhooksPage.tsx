import { useState } from 'react';
import { useClient, useQuery } from 'urql';
import { Link } from 'wouter';
import { canManageWebhooks, canReadWebhooks } from '../../access/access';
import { useAccount } from '../../app/account';
import { NoAccess } from '../../components/States';
import { Remote } from '../../components/Remote';
import { graphql } from '../../gql';
import { mutationOutcome } from '../../graphql/mutations';
import { formatDateTime } from '../../i18n/messages';
import { HealthBadge, SecretDialog, WebhookForm } from '../../webhooks/ui';
import { describeEventTypes, healthTexts, webhooksPath } from '../../webhooks/webhooks';
import '../../webhooks/webhooks.css';
import { webhookTexts } from '../../i18n/webhooks';

export const WebhookSubscriptionsQuery = graphql(`
  query WebhookSubscriptions($accountId: ID!) {
    webhookSubscriptions(accountId: $accountId, first: 100) {
      nodes {
        id
        url
        description
        eventTypes
        active
        health
        consecutiveFailures
        failingSince
        lastSuccessAt
        disabledAt
        createdAt
      }
    }
    webhookEventTypes
  }
`);

export const CreateWebhookSubscriptionMutation = graphql(`
  mutation CreateWebhookSubscription($input: CreateWebhookSubscriptionInput!) {
    createWebhookSubscription(input: $input) {
      webhookSubscription {
        id
        url
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

const listContext = { additionalTypenames: ['WebhookSubscription'] };

/**
 * `/accounts/:id/webhooks`: the endpoints that receive the account's events. OWNER and ADMIN
 * register them; the account's staff read them. A new subscription's signing secret is shown
 * once, in a dialog.
 */
export default function WebhooksPage() {
  const w = webhookTexts.list;
  const { account, access, readOnly } = useAccount();
  const client = useClient();
  const readable = canReadWebhooks(access);
  const manage = canManageWebhooks(access) && !readOnly;
  const [result, refetch] = useQuery({
    query: WebhookSubscriptionsQuery,
    variables: { accountId: account.id },
    context: listContext,
    // A deletion on a subscription's page returns no subscription to invalidate this list by.
    requestPolicy: 'cache-and-network',
    pause: !readable,
  });
  const [notice, setNotice] = useState('');
  const [created, setCreated] = useState<{ id: string; secret: string } | null>(null);
  const reload = () => refetch({ requestPolicy: 'network-only' });

  return (
    <>
      <title>{`${w.title} · ${account.legalName} · Tradehub`}</title>
      <div className="page-header">
        <p className="eyebrow">{account.legalName}</p>
        <h1>{w.title}</h1>
        <p className="lead">{w.lead}</p>
      </div>

      {!readable ? (
        <NoAccess what={w.what} />
      ) : (
        <>
          <p className="notice" role="status" aria-live="polite">
            {notice}
          </p>
          <Remote
            value={result.data}
            result={result}
            what={w.what}
            onRetry={reload}
            loadingLabel={w.loading}
          >
            {(data) => (
              <>
                <section className="card card-wide" aria-labelledby="webhooks-heading">
                  <div className="card-header">
                    <h2 id="webhooks-heading">{w.endpoints}</h2>
                  </div>
                  {data.webhookSubscriptions.nodes.length === 0 ? (
                    <div className="card-body">
                      <p className="muted">{w.none}</p>
                    </div>
                  ) : (
                    <div className="table-wrap">
                      <table className="table">
                        <thead>
                          <tr>
                            <th scope="col">{w.endpoint}</th>
                            <th scope="col">{w.eventTypes}</th>
                            <th scope="col">{w.health}</th>
                            <th scope="col">{w.state}</th>
                            <th scope="col">{w.created}</th>
                          </tr>
                        </thead>
                        <tbody>
                          {data.webhookSubscriptions.nodes.map((s) => (
                            <tr key={s.id} data-webhook-id={s.id}>
                              <td>
                                <Link href={webhooksPath(account.id, s.id)}>
                                  <code>{s.url}</code>
                                </Link>
                                {s.description && <span className="muted table-sub">{s.description}</span>}
                              </td>
                              <td>{describeEventTypes(s.eventTypes)}</td>
                              <td>
                                <HealthBadge health={s.health} />
                                {healthTexts[s.health].notice && (
                                  <span className="table-sub" data-testid="health-notice">
                                    {healthTexts[s.health].notice}
                                  </span>
                                )}
                              </td>
                              <td>{s.active ? w.active : w.paused}</td>
                              <td>{formatDateTime(s.createdAt)}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </div>
                  )}
                </section>
                {manage && (
                  <section className="card card-wide" aria-labelledby="create-webhook-heading">
                    <div className="card-header">
                      <h2 id="create-webhook-heading">{w.add}</h2>
                    </div>
                    <div className="card-body">
                      <WebhookForm
                        label={w.add}
                        submitLabel={w.submit}
                        busyLabel={w.adding}
                        failedTitle={w.notAdded}
                        known={data.webhookEventTypes}
                        onSubmit={async (values) => {
                          const res = await client
                            .mutation(CreateWebhookSubscriptionMutation, {
                              input: {
                                accountId: account.id,
                                url: values.url,
                                eventTypes: values.eventTypes,
                                description: values.description === '' ? null : values.description,
                              },
                            })
                            .toPromise();
                          const outcome = mutationOutcome(res, (d) => d.createWebhookSubscription);
                          if (outcome.kind === 'ok') {
                            const sub = outcome.payload.webhookSubscription;
                            if (sub && outcome.payload.secret) {
                              setCreated({ id: sub.id, secret: outcome.payload.secret });
                            }
                            setNotice(w.added(sub?.url ?? values.url));
                          }
                          return outcome;
                        }}
                      />
                    </div>
                  </section>
                )}
              </>
            )}
          </Remote>
        </>
      )}
      {created && (
        <SecretDialog title={w.secretTitle} secret={created.secret} onClose={() => setCreated(null)} />
      )}
    </>
  );
}
