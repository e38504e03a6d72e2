import { useId, useRef, useState, type FormEvent } from 'react';
import { useClient, useQuery } from 'urql';
import { apiKeyRoles, canManageApiKeys } from '../../access/access';
import { useAccount } from '../../app/account';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Dialog } from '../../components/Dialog';
import { Field, FormAlert, useErrorFocus } from '../../components/Form';
import { Pager, useCursorPages } from '../../components/Pager';
import { Remote } from '../../components/Remote';
import { mapUserErrors, missingFields, noErrors, type MappedErrors } from '../../forms/userErrors';
import { graphql } from '../../gql';
import type { AccountRole, ApiKeysQuery } from '../../gql/graphql';
import type { Problem } from '../../graphql/errors';
import { mutationOutcome } from '../../graphql/mutations';
import { formatDateTime, messages } from '../../i18n/messages';
import { apiKeysMessages } from '../../i18n/apiKeys';

export const ApiKeysQueryDoc = graphql(`
  query ApiKeys($id: ID!, $first: Int!, $after: String) {
    account(id: $id) {
      id
      apiKeys(first: $first, after: $after) {
        nodes {
          id
          name
          role
          secretPrefix
          createdAt
          createdBy {
            id
            name
          }
          lastUsedAt
          expiresAt
          revokedAt
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

export const CreateApiKeyMutation = graphql(`
  mutation CreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      apiKey {
        id
        name
        role
        secretPrefix
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

export const RevokeApiKeyMutation = graphql(`
  mutation RevokeApiKey($input: RevokeApiKeyInput!) {
    revokeApiKey(input: $input) {
      apiKey {
        id
        revokedAt
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const pageSize = 20;
const apiKeyContext = { additionalTypenames: ['ApiKey'] };

type ApiKey = NonNullable<ApiKeysQuery['account']>['apiKeys']['nodes'][number];

/**
 * `/accounts/:id/api-keys`: the keys a seller's platform calls the API with. OWNER and ADMIN
 * create and revoke them; staff read. A new key's secret is shown once, in a dialog.
 */
export default function ApiKeysPage() {
  const { account, access, readOnly } = useAccount();
  const client = useClient();
  const manage = canManageApiKeys(access) && !readOnly;
  const pages = useCursorPages();
  // createApiKey and revokeApiKey return the ApiKey, so urql's cache asks for the list again;
  // the list may be empty, so the query names the type of its items.
  const [keys, refetch] = useQuery({
    query: ApiKeysQueryDoc,
    variables: { id: account.id, first: pageSize, after: pages.after },
    context: apiKeyContext,
  });
  const [notice, setNotice] = useState('');
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const k = apiKeysMessages;

  return (
    <>
      <title>{`${k.title} · ${account.legalName} · Tradehub`}</title>
      <div className="page-header">
        <p className="eyebrow">{account.legalName}</p>
        <h1>{k.title}</h1>
        <p className="lead">
          {k.lead} <code>Authorization: Bearer &lt;secret&gt;</code>
        </p>
      </div>

      <p className="notice" role="status" aria-live="polite">
        {notice}
      </p>

      <Remote
        value={keys.data?.account}
        result={keys}
        what={k.what}
        onRetry={reload}
        loadingLabel={k.loading}
      >
        {(data) => (
          <>
            {manage && (
              <CreateKeyForm
                accountId={account.id}
                onCreated={(name, secret) => {
                  setCreated({ name, secret });
                  setNotice(k.created(name));
                }}
              />
            )}
            <section className="card card-wide" aria-labelledby="keys-heading">
              <div className="card-header">
                <h2 id="keys-heading">{k.keys}</h2>
              </div>
              {data.apiKeys.nodes.length === 0 ? (
                <div className="card-body">
                  <p className="muted">{pages.hasPrevious ? k.noneOnPage : k.none}</p>
                </div>
              ) : (
                <div className="table-wrap">
                  <table className="table">
                    <thead>
                      <tr>
                        <th scope="col">{k.name}</th>
                        <th scope="col">{k.role}</th>
                        <th scope="col">{k.key}</th>
                        <th scope="col">{k.createdAt}</th>
                        <th scope="col">{k.lastUsed}</th>
                        <th scope="col">{k.expires}</th>
                        <th scope="col">{k.status}</th>
                        {manage && (
                          <th scope="col">
                            <span className="visually-hidden">{k.actions}</span>
                          </th>
                        )}
                      </tr>
                    </thead>
                    <tbody>
                      {data.apiKeys.nodes.map((key) => (
                        <tr key={key.id} data-key-id={key.id}>
                          <td>{key.name}</td>
                          <td>{messages.accountRoles[key.role]}</td>
                          <td>
                            <code>{key.secretPrefix}…</code>
                          </td>
                          <td>
                            {formatDateTime(key.createdAt)}
                            {key.createdBy && <span className="muted table-sub">{k.by(key.createdBy.name)}</span>}
                          </td>
                          <td>{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : <span className="muted">{k.never}</span>}</td>
                          <td>{key.expiresAt ? formatDateTime(key.expiresAt) : <span className="muted">{k.never}</span>}</td>
                          <td>
                            <KeyStatus apiKey={key} />
                          </td>
                          {manage && (
                            <td className="table-actions">
                              {!key.revokedAt && (
                                <button
                                  type="button"
                                  className="button button-secondary button-small button-danger-text"
                                  onClick={() => setRevoking(key)}
                                  aria-label={k.revokeLabel(key.name)}
                                >
                                  {k.revoke}
                                </button>
                              )}
                            </td>
                          )}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
              <Pager
                pages={pages}
                hasNextPage={data.apiKeys.pageInfo.hasNextPage}
                endCursor={data.apiKeys.pageInfo.endCursor}
                fetching={keys.fetching}
                label={k.title}
              />
            </section>
          </>
        )}
      </Remote>

      {created && <SecretDialog name={created.name} secret={created.secret} onClose={() => setCreated(null)} />}

      <ConfirmDialog
        open={revoking !== null}
        title={k.revokeTitle(revoking?.name ?? '')}
        confirmLabel={k.revokeConfirm}
        busyLabel={k.revoking}
        onCancel={() => setRevoking(null)}
        onConfirm={async () => {
          const key = revoking;
          if (!key) {
            return { kind: 'ok', payload: null };
          }
          const result = await client.mutation(RevokeApiKeyMutation, { input: { apiKeyId: key.id } }).toPromise();
          const outcome = mutationOutcome(result, (d) => d.revokeApiKey);
          if (outcome.kind === 'ok') {
            setNotice(k.revoked(key.name));
            setRevoking(null);
          }
          return outcome;
        }}
      >
        <p>{k.revokeBody(revoking?.secretPrefix ?? '')}</p>
      </ConfirmDialog>
    </>
  );
}

function KeyStatus({ apiKey }: { apiKey: ApiKey }) {
  if (apiKey.revokedAt) {
    return (
      <span>
        <span className="badge badge-danger">{apiKeysMessages.statusRevoked}</span>
        <span className="muted table-sub">{formatDateTime(apiKey.revokedAt)}</span>
      </span>
    );
  }
  if (apiKey.expiresAt && new Date(apiKey.expiresAt).getTime() <= Date.now()) {
    return <span className="badge">{apiKeysMessages.statusExpired}</span>;
  }
  return <span className="badge badge-success">{apiKeysMessages.statusActive}</span>;
}

type KeyField = 'name' | 'role' | 'expiresAt';
const keyFields: readonly KeyField[] = ['name', 'role', 'expiresAt'];

/** Today in the reader's calendar, as an <input type="date"> value. */
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * The end of a calendar day in the reader's time zone, as the RFC 3339 instant the API takes:
 * a key "expiring on 31 Jan" works through that whole day where the reader is.
 */
export function endOfDay(date: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) {
    return null;
  }
  const end = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59);
  return Number.isNaN(end.getTime()) ? null : end.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function CreateKeyForm({ accountId, onCreated }: { accountId: string; onCreated: (name: string, secret: string) => void }) {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<MappedErrors<KeyField>>(noErrors);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [role, setRole] = useState<AccountRole>('VIEWER');
  const form = useRef<HTMLFormElement>(null);
  const alert = useRef<HTMLDivElement>(null);
  useErrorFocus(form, alert, attempt);

  function refuse(mapped: MappedErrors<KeyField>, failed: Problem | null = null) {
    setErrors(mapped);
    setProblem(failed);
    setAttempt((n) => n + 1);
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const data = new FormData(formElement);
    const name = String(data.get('name') ?? '').trim();
    const expiryDate = String(data.get('expiresAt') ?? '');
    const local = missingFields({ name }, { name: apiKeysMessages.aName });
    const expiresAt = expiryDate === '' ? null : endOfDay(expiryDate);
    if (expiryDate !== '' && (expiresAt === null || expiryDate < today())) {
      local.push({ code: 'PAST_DATE', field: ['input', 'expiresAt'], message: messages.client.pastDate });
    }
    if (local.length > 0) {
      refuse(mapUserErrors(local, keyFields));
      return;
    }
    setBusy(true);
    const result = await client
      .mutation(CreateApiKeyMutation, { input: { accountId, name, role, expiresAt } })
      .toPromise();
    setBusy(false);
    const outcome = mutationOutcome(result, (d) => d.createApiKey);
    if (outcome.kind === 'failed') {
      refuse(noErrors(), outcome.problem);
    } else if (outcome.kind === 'refused') {
      refuse(mapUserErrors(outcome.errors, keyFields));
    } else if (!outcome.payload.secret) {
      refuse(noErrors(), {
        title: apiKeysMessages.noSecret,
        detail: apiKeysMessages.noSecretDetail,
        action: apiKeysMessages.noSecretAction,
      });
    } else {
      setErrors(noErrors());
      setProblem(null);
      formElement.reset();
      setRole('VIEWER');
      onCreated(outcome.payload.apiKey?.name ?? name, outcome.payload.secret);
    }
  }

  return (
    <section className="card card-wide" aria-labelledby="create-key-heading">
      <div className="card-header">
        <h2 id="create-key-heading">{apiKeysMessages.create}</h2>
      </div>
      <div className="card-body">
        <FormAlert errors={errors.form} problem={problem} alertRef={alert} title={apiKeysMessages.notCreated} />
        <form ref={form} className="form form-inline" onSubmit={onSubmit} noValidate aria-label={apiKeysMessages.create}>
          <Field label={apiKeysMessages.name} hint={apiKeysMessages.nameHint} errors={errors.fields.name}>
            {(props) => <input {...props} name="name" type="text" maxLength={100} autoComplete="off" required />}
          </Field>
          <Field label={apiKeysMessages.role} hint={messages.accountRoleDescriptions[role]} errors={errors.fields.role}>
            {(props) => (
              <select {...props} name="role" value={role} onChange={(e) => setRole(e.target.value as AccountRole)}>
                {apiKeyRoles.map((r) => (
                  <option key={r} value={r}>
                    {messages.accountRoles[r]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            label={apiKeysMessages.expiresOn}
            hint={apiKeysMessages.expiresHint}
            errors={errors.fields.expiresAt}
          >
            {(props) => <input {...props} name="expiresAt" type="date" min={today()} />}
          </Field>
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={busy}>
              {busy ? apiKeysMessages.submitting : apiKeysMessages.submit}
            </button>
          </div>
        </form>
      </div>
    </section>
  );
}

/** The new key's secret, shown this once, with a way to copy it. */
function SecretDialog({ name, secret, onClose }: { name: string; secret: string; onClose: () => void }) {
  const [copyState, setCopyState] = useState<'idle' | 'copied' | 'manual'>('idle');
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const warningId = useId();

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopyState('copied');
    } catch {
      // No clipboard access (permission, insecure context): select the text for Ctrl+C.
      input.current?.focus();
      input.current?.select();
      setCopyState('manual');
    }
  }

  return (
    <Dialog open onClose={onClose} title={apiKeysMessages.secretTitle(name)} className="dialog-secret">
      <div className="callout callout-warning" id={warningId}>
        <p className="callout-title">{apiKeysMessages.copyNow}</p>
        <p>{apiKeysMessages.fingerprint}</p>
      </div>
      <div className="field">
        <label htmlFor={inputId}>{apiKeysMessages.secret}</label>
        <div className="secret-row">
          <input
            ref={input}
            id={inputId}
            className="secret"
            type="text"
            readOnly
            value={secret}
            aria-describedby={warningId}
            spellCheck={false}
            onFocus={(e) => e.currentTarget.select()}
          />
          <button type="button" className="button button-secondary" onClick={copy} data-autofocus>
            {apiKeysMessages.copy}
          </button>
        </div>
        <p className="field-hint" role="status">
          {copyState === 'copied' && apiKeysMessages.copied}
          {copyState === 'manual' && apiKeysMessages.copyManual}
        </p>
      </div>
      <div className="dialog-actions">
        <button type="button" className="button button-primary" onClick={onClose}>
          {apiKeysMessages.stored}
        </button>
      </div>
    </Dialog>
  );
}
