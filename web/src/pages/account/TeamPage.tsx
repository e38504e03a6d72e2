import { useRef, useState, type FormEvent } from 'react';
import { useClient, useQuery } from 'urql';
import { canManageMember, canManageTeam, grantableRoles } from '../../access/access';
import { useAccount } from '../../app/account';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Dialog } from '../../components/Dialog';
import { Field, FormAlert, useErrorFocus } from '../../components/Form';
import { Pager, useCursorPages } from '../../components/Pager';
import { Remote } from '../../components/Remote';
import { mapUserErrors, missingFields, noErrors, type MappedErrors } from '../../forms/userErrors';
import { graphql } from '../../gql';
import type { AccountRole, TeamMembersQuery } from '../../gql/graphql';
import type { Problem } from '../../graphql/errors';
import { mutationOutcome } from '../../graphql/mutations';
import { formatDateTime, messages } from '../../i18n/messages';
import { teamMessages as t } from '../../i18n/team';
import { useSession } from '../../session/Session';

export const TeamMembersQueryDoc = graphql(`
  query TeamMembers($id: ID!, $first: Int!, $after: String) {
    account(id: $id) {
      id
      members(first: $first, after: $after) {
        nodes {
          role
          user {
            id
            name
            email
            status
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

export const TeamInvitationsQuery = graphql(`
  query TeamInvitations($id: ID!) {
    account(id: $id) {
      id
      invitations {
        id
        email
        accountRole
        status
        expiresAt
        createdAt
      }
    }
  }
`);

export const InviteMemberMutation = graphql(`
  mutation InviteMember($input: InviteAccountMemberInput!) {
    inviteAccountMember(input: $input) {
      invitation {
        id
        email
        accountRole
        status
        expiresAt
        createdAt
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

export const ChangeMemberRoleMutation = graphql(`
  mutation ChangeMemberRole($input: ChangeMemberRoleInput!) {
    changeMemberRole(input: $input) {
      membership {
        role
        user {
          id
        }
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

export const RemoveMemberMutation = graphql(`
  mutation RemoveMember($input: RemoveMemberInput!) {
    removeMember(input: $input) {
      removedUserId
      userErrors {
        code
        field
        message
      }
    }
  }
`);

export const RevokeInvitationMutation = graphql(`
  mutation RevokeInvitation($input: RevokeInvitationInput!) {
    revokeInvitation(input: $input) {
      invitation {
        id
        status
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
const membershipContext = { additionalTypenames: ['Membership'] };
const invitationContext = { additionalTypenames: ['Invitation'] };

type Member = NonNullable<TeamMembersQuery['account']>['members']['nodes'][number];

/**
 * `/accounts/:id/team`: the account's members (paged), their roles, removing them, invitations.
 * OWNER and ADMIN change things; account managers and platform admins read. Anyone else gets the
 * server's NOT_FOUND and the no-access state.
 */
export default function TeamPage() {
  const { account, access, readOnly } = useAccount();
  const { state } = useSession();
  const client = useClient();
  const viewerId = state.kind === 'signed-in' ? state.viewer.user.id : null;
  const manage = canManageTeam(access) && !readOnly;

  const pages = useCursorPages();
  // After a change, urql's cache asks again for every query whose answer held a type the
  // mutation returned; a list may be empty, so each query names the type of its items.
  const [members, refetchMembers] = useQuery({
    query: TeamMembersQueryDoc,
    variables: { id: account.id, first: pageSize, after: pages.after },
    context: membershipContext,
  });
  const [invitations, refetchInvitations] = useQuery({
    query: TeamInvitationsQuery,
    variables: { id: account.id },
    context: invitationContext,
  });
  const [notice, setNotice] = useState('');
  const [changing, setChanging] = useState<Member | null>(null);
  const [removing, setRemoving] = useState<Member | null>(null);
  const [revoking, setRevoking] = useState<{ id: string; email: string } | null>(null);

  const reloadMembers = () => refetchMembers({ requestPolicy: 'network-only' });
  const reloadInvitations = () => refetchInvitations({ requestPolicy: 'network-only' });

  return (
    <>
      <title>{t.title(account.legalName)}</title>
      <div className="page-header">
        <p className="eyebrow">{account.legalName}</p>
        <h1>{t.heading}</h1>
        <p className="lead">
          {t.lead}
          {!manage && access.kind === 'staff' && t.staffLead}
        </p>
      </div>

      <p className="notice" role="status" aria-live="polite">
        {notice}
      </p>

      <Remote
        value={members.data?.account}
        result={members}
        what={t.what}
        onRetry={reloadMembers}
        loadingLabel={t.loading}
      >
        {(data) => (
          <>
            {manage && (
              <InviteForm
                accountId={account.id}
                roles={grantableRoles(access)}
                onInvited={(email, role) => {
                  setNotice(t.invited(email, messages.accountRoles[role]));
                }}
              />
            )}

            <section className="card card-wide" aria-labelledby="members-heading">
              <div className="card-header">
                <h2 id="members-heading">{t.members}</h2>
              </div>
              <div className="table-wrap">
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">{t.name}</th>
                      <th scope="col">{t.email}</th>
                      <th scope="col">{t.role}</th>
                      {manage && (
                        <th scope="col">
                          <span className="visually-hidden">{t.actions}</span>
                        </th>
                      )}
                    </tr>
                  </thead>
                  <tbody>
                    {data.members.nodes.map((m) => (
                      <tr key={m.user.id}>
                        <td>
                          {m.user.name}
                          {m.user.id === viewerId && <span className="muted">{t.you}</span>}
                          {m.user.status === 'DISABLED' && <span className="badge badge-danger">{t.disabled}</span>}
                        </td>
                        <td>{m.user.email}</td>
                        <td>{messages.accountRoles[m.role]}</td>
                        {manage && (
                          <td className="table-actions">
                            {canManageMember(access, m.role) && (
                              <>
                                <button
                                  type="button"
                                  className="button button-secondary button-small"
                                  onClick={() => setChanging(m)}
                                  aria-label={t.changeRoleOf(m.user.name)}
                                >
                                  {t.changeRole}
                                </button>
                                <button
                                  type="button"
                                  className="button button-secondary button-small button-danger-text"
                                  onClick={() => setRemoving(m)}
                                  aria-label={t.removeWho(m.user.name)}
                                >
                                  {t.remove}
                                </button>
                              </>
                            )}
                          </td>
                        )}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {data.members.nodes.length === 0 && (
                <div className="card-body">
                  <p className="muted">{t.noMembers}</p>
                </div>
              )}
              <Pager
                pages={pages}
                hasNextPage={data.members.pageInfo.hasNextPage}
                endCursor={data.members.pageInfo.endCursor}
                fetching={members.fetching}
                label={t.members}
              />
            </section>

            <section className="card card-wide" aria-labelledby="invitations-heading">
              <div className="card-header">
                <h2 id="invitations-heading">{t.pending}</h2>
              </div>
              <Remote
                value={invitations.data?.account}
                result={invitations}
                what={t.invitationsWhat}
                onRetry={reloadInvitations}
                loadingLabel={t.invitationsLoading}
              >
                {(inv) => {
                  const pending = inv.invitations.filter((i) => i.status === 'PENDING');
                  return pending.length === 0 ? (
                    <div className="card-body">
                      <p className="muted">{t.noPending}</p>
                    </div>
                  ) : (
                    <div className="table-wrap">
                      <table className="table">
                        <thead>
                          <tr>
                            <th scope="col">{t.email}</th>
                            <th scope="col">{t.role}</th>
                            <th scope="col">{t.sent}</th>
                            <th scope="col">{t.expires}</th>
                            {manage && (
                              <th scope="col">
                                <span className="visually-hidden">{t.actions}</span>
                              </th>
                            )}
                          </tr>
                        </thead>
                        <tbody>
                          {pending.map((i) => (
                            <tr key={i.id}>
                              <td>{i.email}</td>
                              <td>{i.accountRole ? messages.accountRoles[i.accountRole] : '—'}</td>
                              <td>{formatDateTime(i.createdAt)}</td>
                              <td>{formatDateTime(i.expiresAt)}</td>
                              {manage && (
                                <td className="table-actions">
                                  <button
                                    type="button"
                                    className="button button-secondary button-small button-danger-text"
                                    onClick={() => setRevoking({ id: i.id, email: i.email })}
                                    aria-label={t.revokeOf(i.email)}
                                  >
                                    {t.revoke}
                                  </button>
                                </td>
                              )}
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </div>
                  );
                }}
              </Remote>
            </section>
          </>
        )}
      </Remote>

      {changing && (
        <ChangeRoleDialog
          accountId={account.id}
          member={changing}
          roles={grantableRoles(access)}
          onClose={() => setChanging(null)}
          onChanged={(role) => {
            setNotice(t.roleChanged(changing.user.name, messages.accountRoles[role]));
            setChanging(null);
          }}
        />
      )}

      <ConfirmDialog
        open={removing !== null}
        title={t.removeTitle(removing?.user.name ?? '')}
        confirmLabel={t.removeConfirm}
        busyLabel={t.removing}
        onCancel={() => setRemoving(null)}
        onConfirm={async () => {
          const member = removing;
          if (!member) {
            return { kind: 'ok', payload: null };
          }
          // The payload holds no Membership for the cache to see: name the type that changed.
          const result = await client
            .mutation(
              RemoveMemberMutation,
              { input: { accountId: account.id, userId: member.user.id } },
              membershipContext,
            )
            .toPromise();
          const outcome = mutationOutcome(result, (d) => d.removeMember);
          if (outcome.kind === 'ok') {
            setNotice(t.removed(member.user.name));
            setRemoving(null);
          }
          return outcome;
        }}
      >
        <p>{t.removeBody(removing?.user.name ?? '', removing?.user.email ?? '', account.legalName)}</p>
      </ConfirmDialog>

      <ConfirmDialog
        open={revoking !== null}
        title={t.revokeTitle}
        confirmLabel={t.revokeConfirm}
        busyLabel={t.revoking}
        onCancel={() => setRevoking(null)}
        onConfirm={async () => {
          const invitation = revoking;
          if (!invitation) {
            return { kind: 'ok', payload: null };
          }
          const result = await client
            .mutation(RevokeInvitationMutation, { input: { invitationId: invitation.id } })
            .toPromise();
          const outcome = mutationOutcome(result, (d) => d.revokeInvitation);
          if (outcome.kind === 'ok') {
            setNotice(t.revoked(invitation.email));
            setRevoking(null);
          }
          return outcome;
        }}
      >
        <p>{t.revokeBody(revoking?.email ?? '')}</p>
      </ConfirmDialog>
    </>
  );
}

type InviteField = 'email' | 'role';
const inviteFields: readonly InviteField[] = ['email', 'role'];

function InviteForm({
  accountId,
  roles,
  onInvited,
}: {
  accountId: string;
  roles: readonly AccountRole[];
  onInvited: (email: string, role: AccountRole) => void;
}) {
  const client = useClient();
  const [role, setRole] = useState<AccountRole>('VIEWER');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<MappedErrors<InviteField>>(noErrors);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [attempt, setAttempt] = useState(0);
  const form = useRef<HTMLFormElement>(null);
  const alert = useRef<HTMLDivElement>(null);
  useErrorFocus(form, alert, attempt);

  function refuse(mapped: MappedErrors<InviteField>, failed: Problem | null = null) {
    setErrors(mapped);
    setProblem(failed);
    setAttempt((n) => n + 1);
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const email = String(new FormData(formElement).get('email') ?? '').trim();
    const missing = missingFields({ email }, { email: t.anEmail });
    if (missing.length > 0) {
      refuse(mapUserErrors(missing, inviteFields));
      return;
    }
    setBusy(true);
    const result = await client.mutation(InviteMemberMutation, { input: { accountId, email, role } }).toPromise();
    setBusy(false);
    const outcome = mutationOutcome(result, (d) => d.inviteAccountMember);
    if (outcome.kind === 'failed') {
      refuse(noErrors(), outcome.problem);
    } else if (outcome.kind === 'refused') {
      refuse(mapUserErrors(outcome.errors, inviteFields));
    } else {
      setErrors(noErrors());
      setProblem(null);
      formElement.reset();
      onInvited(outcome.payload.invitation?.email ?? email, role);
    }
  }

  return (
    <section className="card card-wide" aria-labelledby="invite-heading">
      <div className="card-header">
        <h2 id="invite-heading">{t.invite}</h2>
      </div>
      <div className="card-body">
        <FormAlert errors={errors.form} problem={problem} alertRef={alert} title={t.inviteFailed} />
        <form ref={form} className="form form-inline" onSubmit={onSubmit} noValidate aria-label={t.invite}>
          <Field label={t.email} errors={errors.fields.email}>
            {(props) => <input {...props} name="email" type="email" autoComplete="off" spellCheck={false} required />}
          </Field>
          <Field label={t.role} hint={messages.accountRoleDescriptions[role]} errors={errors.fields.role}>
            {(props) => (
              <select {...props} name="role" value={role} onChange={(e) => setRole(e.target.value as AccountRole)}>
                {roles.map((r) => (
                  <option key={r} value={r}>
                    {messages.accountRoles[r]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={busy}>
              {busy ? t.sending : t.send}
            </button>
          </div>
        </form>
        <p className="muted">{t.inviteHint}</p>
      </div>
    </section>
  );
}

function ChangeRoleDialog({
  accountId,
  member,
  roles,
  onClose,
  onChanged,
}: {
  accountId: string;
  member: Member;
  roles: readonly AccountRole[];
  onClose: () => void;
  onChanged: (role: AccountRole) => void;
}) {
  const client = useClient();
  const [role, setRole] = useState<AccountRole>(member.role);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<MappedErrors<never>>(noErrors);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [attempt, setAttempt] = useState(0);
  const form = useRef<HTMLFormElement>(null);
  const alert = useRef<HTMLDivElement>(null);
  useErrorFocus(form, alert, attempt);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (role === member.role) {
      onClose();
      return;
    }
    setBusy(true);
    const result = await client
      .mutation(ChangeMemberRoleMutation, { input: { accountId, userId: member.user.id, role } })
      .toPromise();
    setBusy(false);
    const outcome = mutationOutcome(result, (d) => d.changeMemberRole);
    if (outcome.kind === 'ok') {
      onChanged(outcome.payload.membership?.role ?? role);
      return;
    }
    // The role is the dialog's only choice: its errors go above the form, which takes focus.
    setErrors(outcome.kind === 'refused' ? mapUserErrors(outcome.errors, []) : noErrors());
    setProblem(outcome.kind === 'failed' ? outcome.problem : null);
    setAttempt((n) => n + 1);
  }

  return (
    <Dialog open onClose={onClose} title={t.changeRoleTitle(member.user.name)} busy={busy}>
      <form ref={form} onSubmit={onSubmit} noValidate className="form">
        <FormAlert errors={errors.form} problem={problem} alertRef={alert} title={t.changeFailed} />
        <fieldset className="radio-group">
          <legend>{t.roleHere}</legend>
          {roles.map((r) => (
            <label key={r} className="radio">
              <input
                type="radio"
                name="role"
                value={r}
                checked={role === r}
                onChange={() => setRole(r)}
                {...(role === r ? { 'data-autofocus': true } : {})}
              />
              <span>
                <strong>{messages.accountRoles[r]}</strong>
                <span className="muted"> — {messages.accountRoleDescriptions[r]}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <div className="dialog-actions">
          <button type="button" className="button button-secondary" onClick={onClose} disabled={busy}>
            {t.cancel}
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? t.saving : t.saveRole}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
