import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link, useLocation, useSearch } from 'wouter';
import { Field, FormAlert, useErrorFocus } from '../components/Form';
import { ProblemCallout } from '../components/Problem';
import { Loading } from '../components/States';
import { mapUserErrors, missingFields, noErrors, type MappedErrors } from '../forms/userErrors';
import { graphql } from '../gql';
import type { InvitationPreviewQuery } from '../gql/graphql';
import { describeError, type Problem } from '../graphql/errors';
import { formatDateTime, messages } from '../i18n/messages';
import { invitationMessages as t } from '../i18n/team';
import { invitationState } from '../invitations/invitation';
import { useSession } from '../session/Session';

export const InvitationPreviewDoc = graphql(`
  query InvitationPreview($token: String!) {
    invitationPreview(token: $token) {
      email
      organisationName
      accountRole
      partnerRole
      status
      expiresAt
      existingUser
    }
  }
`);

export const AcceptInvitationMutation = graphql(`
  mutation AcceptInvitation($input: AcceptInvitationInput!) {
    acceptInvitation(input: $input) {
      viewer {
        authenticated
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

type InvitationField = 'name' | 'password';
const fields: readonly InvitationField[] = ['name', 'password'];
type Preview = NonNullable<InvitationPreviewQuery['invitationPreview']>;

/** The role an invitation offers, as the page names it. */
function roleName(preview: Preview): string {
  if (preview.accountRole) {
    return messages.accountRoles[preview.accountRole].toLowerCase();
  }
  if (preview.partnerRole) {
    return messages.partnerRoles[preview.partnerRole].toLowerCase();
  }
  return t.aMember;
}

/**
 * `/accept-invitation?token=…`, the link of an invitation email. It first asks what the link
 * offers (`invitationPreview`) and says so: "Join <organisation> as <role>". A new user gives
 * their name and a password; someone who already uses Tradehub only their current password. An
 * expired, used or unknown link says what to do instead.
 */
export default function AcceptInvitationPage() {
  const token = new URLSearchParams(useSearch()).get('token')?.trim() ?? '';
  const [preview, reexecute] = useQuery({ query: InvitationPreviewDoc, variables: { token }, pause: token === '' });

  let body;
  if (token === '') {
    body = (
      <LinkProblem title={t.noToken}>{t.reopen}</LinkProblem>
    );
  } else if (preview.error && !preview.data) {
    body = (
      <ProblemCallout
        problem={describeError(preview.error)}
        onRetry={() => reexecute({ requestPolicy: 'network-only' })}
        retrying={preview.fetching}
      />
    );
  } else if (preview.fetching || !preview.data) {
    body = <Loading label={t.loading} />;
  } else {
    const p = preview.data.invitationPreview;
    const state = invitationState(p);
    if (state === 'unknown' || !p) {
      body = (
        <LinkProblem title={t.invalid}>{t.reopen}</LinkProblem>
      );
    } else if (state === 'expired') {
      body = (
        <LinkProblem title={t.expired(p.organisationName)}>{t.expiredBody(formatDateTime(p.expiresAt), p.email)}</LinkProblem>
      );
    } else if (state === 'used') {
      body = (
        <LinkProblem
          title={p.status === 'ACCEPTED' ? t.accepted(p.organisationName) : t.withdrawn(p.organisationName)}
        >
          {p.status === 'ACCEPTED' ? t.acceptedBody(p.email) : t.withdrawnBody}
        </LinkProblem>
      );
    } else {
      body = <AcceptForm token={token} preview={p} />;
    }
  }

  return (
    <>
      <title>{t.title}</title>
      <div className="auth">
        <div className="card auth-card">
          <div className="card-body">{body}</div>
        </div>
      </div>
    </>
  );
}

function LinkProblem({ title, children }: { title: string; children: ReactNode }) {
  return (
    <>
      <h1 className="auth-title">{t.join}</h1>
      <div className="callout callout-danger" role="alert" data-testid="invitation-problem">
        <p className="callout-title">{title}</p>
        <p>{children}</p>
        <p>
          {t.haveSignIn} <Link href="/sign-in">{t.signIn}</Link>
        </p>
      </div>
    </>
  );
}

function AcceptForm({ token, preview }: { token: string; preview: Preview }) {
  const { restart } = useSession();
  const [, navigate] = useLocation();
  const [{ fetching }, accept] = useMutation(AcceptInvitationMutation);
  const [errors, setErrors] = useState<MappedErrors<InvitationField>>(noErrors);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [attempt, setAttempt] = useState(0);
  const form = useRef<HTMLFormElement>(null);
  const alert = useRef<HTMLDivElement>(null);
  useErrorFocus(form, alert, attempt);
  const existing = preview.existingUser;

  function refuse(mapped: MappedErrors<InvitationField>, failed: Problem | null = null) {
    setErrors(mapped);
    setProblem(failed);
    setAttempt((n) => n + 1);
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const name = existing ? '' : String(data.get('name') ?? '').trim();
    const password = String(data.get('password') ?? '');
    const missing = existing
      ? missingFields({ password }, { password: t.missingCurrent })
      : missingFields({ name, password }, { name: t.missingName, password: t.missingPassword });
    if (missing.length > 0) {
      refuse(mapUserErrors(missing, fields));
      return;
    }
    const result = await accept({ input: { token, name, password } });
    if (result.error) {
      refuse(noErrors(), describeError(result.error));
      return;
    }
    const payload = result.data?.acceptInvitation;
    if (!payload || payload.userErrors.length > 0 || !payload.viewer?.authenticated) {
      refuse(mapUserErrors(payload?.userErrors ?? [], fields));
      return;
    }
    navigate('/', { replace: true });
    restart();
  }

  return (
    <>
      <h1 className="auth-title" data-testid="invitation-title">
        {t.joinAs(preview.organisationName, roleName(preview))}
      </h1>
      <p className="muted" data-testid="invitation-email">
        {existing
          ? t.existing(preview.email)
          : t.newUser(preview.email)}
      </p>
      <FormAlert errors={errors.form} problem={problem} alertRef={alert} title={t.failed} />
      <form ref={form} className="form" onSubmit={onSubmit} noValidate aria-label={t.form}>
        {/* The email, for the browser's password manager. */}
        <input type="hidden" name="username" autoComplete="username" value={preview.email} readOnly />
        {!existing && (
          <Field label={t.yourName} errors={errors.fields.name}>
            {(props) => <input {...props} name="name" type="text" autoComplete="name" required />}
          </Field>
        )}
        {existing ? (
          <Field label={t.currentPassword} errors={errors.fields.password}>
            {(props) => (
              <input {...props} name="password" type="password" autoComplete="current-password" required />
            )}
          </Field>
        ) : (
          <Field
            label={t.password}
            hint={t.passwordHint}
            errors={errors.fields.password}
          >
            {(props) => <input {...props} name="password" type="password" autoComplete="new-password" required />}
          </Field>
        )}
        <button type="submit" className="button button-primary button-block" disabled={fetching}>
          {fetching ? t.accepting : t.accept}
        </button>
      </form>
    </>
  );
}
