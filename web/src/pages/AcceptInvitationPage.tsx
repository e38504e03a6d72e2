import { useRef, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { Link, useLocation, useSearch } from 'wouter';
import { Field, FormAlert, useErrorFocus } from '../components/Form';
import { mapUserErrors, missingFields, noErrors, type MappedErrors } from '../forms/userErrors';
import { graphql } from '../gql';
import { describeError, type Problem } from '../graphql/errors';
import { useSession } from '../session/Session';

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

/**
 * `/accept-invitation?token=…`, the link of an invitation email: the invitee gives their name
 * and a password (or, if they already use Tradehub, their current password) and is signed in.
 */
export default function AcceptInvitationPage() {
  const { restart } = useSession();
  const [, navigate] = useLocation();
  const token = new URLSearchParams(useSearch()).get('token')?.trim() ?? '';

  const [{ fetching }, accept] = useMutation(AcceptInvitationMutation);
  const [errors, setErrors] = useState<MappedErrors<InvitationField>>(noErrors);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [attempt, setAttempt] = useState(0);
  const form = useRef<HTMLFormElement>(null);
  const alert = useRef<HTMLDivElement>(null);
  useErrorFocus(form, alert, attempt);

  function refuse(mapped: MappedErrors<InvitationField>, failed: Problem | null = null) {
    setErrors(mapped);
    setProblem(failed);
    setAttempt((n) => n + 1);
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const name = String(data.get('name') ?? '').trim();
    const password = String(data.get('password') ?? '');
    const missing = missingFields({ name, password }, { name: 'your name', password: 'a password' });
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
      <title>Accept invitation · Tradehub</title>
      <div className="auth">
        <div className="card auth-card">
          <div className="card-body">
            <h1 className="auth-title">Join your team on Tradehub</h1>
            {token === '' ? (
              <div className="callout callout-danger" role="alert">
                <p className="callout-title">This link has no invitation in it</p>
                <p>
                  Open the link from your invitation email again, and make sure it was not cut off. If it
                  still fails, ask the person who invited you to send a new invitation.
                </p>
                <p>
                  Already have a sign-in? <Link href="/sign-in">Sign in</Link>.
                </p>
              </div>
            ) : (
              <>
                <p className="muted">
                  Choose your password to accept the invitation. If you already sign in to Tradehub with this
                  email, enter your current password instead; your name stays as it is.
                </p>
                <FormAlert
                  errors={errors.form}
                  problem={problem}
                  alertRef={alert}
                  title="The invitation was not accepted"
                />
                <form ref={form} className="form" onSubmit={onSubmit} noValidate aria-label="Accept invitation">
                  <Field label="Your name" errors={errors.fields.name}>
                    {(props) => <input {...props} name="name" type="text" autoComplete="name" required />}
                  </Field>
                  <Field
                    label="Password"
                    hint="At least 12 characters; a passphrase of a few words is easy to remember."
                    errors={errors.fields.password}
                  >
                    {(props) => (
                      <input {...props} name="password" type="password" autoComplete="new-password" required />
                    )}
                  </Field>
                  <button type="submit" className="button button-primary button-block" disabled={fetching}>
                    {fetching ? 'Accepting…' : 'Accept invitation'}
                  </button>
                </form>
              </>
            )}
          </div>
        </div>
      </div>
    </>
  );
}
