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

  return (
    <>
      <title>{`API keys · ${account.legalName} · Tradehub`}</title>
      <div className="page-header">
        <p className="eyebrow">{account.legalName}</p>
        <h1>API keys</h1>
        <p className="lead">
          Keys let your own shop, ERP or dashboard call the Tradehub API for this account, with the role you
          give them. Send one as <code>Authorization: Bearer &lt;secret&gt;</code>.
        </p>
      </div>

      <p className="notice" role="status" aria-live="polite">
        {notice}
      </p>

      <Remote
        value={keys.data?.account}
        result={keys}
        what="The API keys of this account"
        onRetry={reload}
        loadingLabel="Loading the API keys…"
      >
        {(data) => (
          <>
            {manage && (
              <CreateKeyForm
                accountId={account.id}
                onCreated={(name, secret) => {
                  setCreated({ name, secret });
                  setNotice(`The key “${name}” was created.`);
                }}
              />
            )}
            <section className="card card-wide" aria-labelledby="keys-heading">
              <div className="card-header">
                <h2 id="keys-heading">Keys</h2>
              </div>
              {data.apiKeys.nodes.length === 0 ? (
                <div className="card-body">
                  <p className="muted">This account has no API keys{pages.hasPrevious ? ' on this page' : ''}.</p>
                </div>
              ) : (
                <div className="table-wrap">
                  <table className="table">
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col">Role</th>
                        <th scope="col">Key</th>
                        <th scope="col">Created</th>
                        <th scope="col">Last used</th>
                        <th scope="col">Expires</th>
                        <th scope="col">Status</th>
                        {manage && (
                          <th scope="col">
                            <span className="visually-hidden">Actions</span>
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
                            {key.createdBy && <span className="muted table-sub">by {key.createdBy.name}</span>}
                          </td>
                          <td>{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : <span className="muted">Never</span>}</td>
                          <td>{key.expiresAt ? formatDateTime(key.expiresAt) : <span className="muted">Never</span>}</td>
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
                                  aria-label={`Revoke ${key.name}`}
                                >
                                  Revoke
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
                label="API keys"
              />
            </section>
          </>
        )}
      </Remote>

      {created && <SecretDialog name={created.name} secret={created.secret} onClose={() => setCreated(null)} />}

      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        confirmLabel="Revoke key"
        busyLabel="Revoking…"
        onCancel={() => setRevoking(null)}
        onConfirm={async () => {
          const key = revoking;
          if (!key) {
            return { kind: 'ok', payload: null };
          }
          const result = await client.mutation(RevokeApiKeyMutation, { input: { apiKeyId: key.id } }).toPromise();
          const outcome = mutationOutcome(result, (d) => d.revokeApiKey);
          if (outcome.kind === 'ok') {
            setNotice(`The key “${key.name}” was revoked; calls with it are refused from now on.`);
            setRevoking(null);
          }
          return outcome;
        }}
      >
        <p>
          Every call made with <code>{revoking?.secretPrefix}…</code> is refused from the next request on. This
          cannot be undone: to call the API again, create a new key and put it where this one was used.
        </p>
      </ConfirmDialog>
    </>
  );
}

function KeyStatus({ apiKey }: { apiKey: ApiKey }) {
  if (apiKey.revokedAt) {
    return (
      <span>
        <span className="badge badge-danger">Revoked</span>
        <span className="muted table-sub">{formatDateTime(apiKey.revokedAt)}</span>
      </span>
    );
  }
  if (apiKey.expiresAt && new Date(apiKey.expiresAt).getTime() <= Date.now()) {
    return <span className="badge">Expired</span>;
  }
  return <span className="badge badge-success">Active</span>;
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
    const local = missingFields({ name }, { name: 'a name' });
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
        title: 'The key was created without a secret',
        detail: 'The server answered without the secret, which is shown only once.',
        action: 'Revoke this key and create another one.',
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
        <h2 id="create-key-heading">Create a key</h2>
      </div>
      <div className="card-body">
        <FormAlert errors={errors.form} problem={problem} alertRef={alert} title="The key was not created" />
        <form ref={form} className="form form-inline" onSubmit={onSubmit} noValidate aria-label="Create a key">
          <Field label="Name" hint="Where it is used, e.g. “Shopify store”." errors={errors.fields.name}>
            {(props) => <input {...props} name="name" type="text" maxLength={100} autoComplete="off" required />}
          </Field>
          <Field label="Role" hint={messages.accountRoleDescriptions[role]} errors={errors.fields.role}>
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
            label="Expires on (optional)"
            hint="The key stops working at the end of this day. Leave empty for a key that does not expire."
            errors={errors.fields.expiresAt}
          >
            {(props) => <input {...props} name="expiresAt" type="date" min={today()} />}
          </Field>
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={busy}>
              {busy ? 'Creating…' : 'Create key'}
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
    <Dialog open onClose={onClose} title={`Your new key “${name}”`} className="dialog-secret">
      <div className="callout callout-warning" id={warningId}>
        <p className="callout-title">Copy the secret now: it will not be shown again.</p>
        <p>Tradehub keeps only a fingerprint of it. If you lose it, revoke this key and create another.</p>
      </div>
      <div className="field">
        <label htmlFor={inputId}>Secret</label>
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
            Copy
          </button>
        </div>
        <p className="field-hint" role="status">
          {copyState === 'copied' && 'Copied to the clipboard.'}
          {copyState === 'manual' && 'The browser did not allow copying: the secret is selected, press Ctrl+C (⌘C).'}
        </p>
      </div>
      <div className="dialog-actions">
        <button type="button" className="button button-primary" onClick={onClose}>
          I have stored it
        </button>
      </div>
    </Dialog>
  );
}
