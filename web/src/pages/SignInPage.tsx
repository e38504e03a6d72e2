import { useRef, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { Link, useLocation, useSearch } from 'wouter';
import { safeNextPath } from '../access/access';
import { Field, FormAlert, useErrorFocus } from '../components/Form';
import { mapUserErrors, missingFields, noErrors, type MappedErrors } from '../forms/userErrors';
import { graphql } from '../gql';
import { describeError, type Problem } from '../graphql/errors';
import { useSession } from '../session/Session';
import { portalMessages } from '../i18n/portal';

export const SignInMutation = graphql(`
  mutation SignIn($input: LoginInput!) {
    login(input: $input) {
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

type SignInField = 'email' | 'password';
const fields: readonly SignInField[] = ['email', 'password'];

/**
 * `/sign-in?next=/accounts/…`: email and password. The server sets an httpOnly session cookie;
 * the page then starts the session over and goes to `next` (a path of this portal) or home.
 */
export default function SignInPage() {
  const s = portalMessages.signIn;
  const { state, restart } = useSession();
  const [, navigate] = useLocation();
  const params = new URLSearchParams(useSearch());
  const next = safeNextPath(params.get('next'));
  const signedOut = params.get('signed-out') === '1';

  const [{ fetching }, login] = useMutation(SignInMutation);
  const [errors, setErrors] = useState<MappedErrors<SignInField>>(noErrors);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [attempt, setAttempt] = useState(0);
  const form = useRef<HTMLFormElement>(null);
  const alert = useRef<HTMLDivElement>(null);
  useErrorFocus(form, alert, attempt);

  function refuse(mapped: MappedErrors<SignInField>, failed: Problem | null = null) {
    setErrors(mapped);
    setProblem(failed);
    setAttempt((n) => n + 1);
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const email = String(data.get('email') ?? '').trim();
    const password = String(data.get('password') ?? '');
    const missing = missingFields({ email, password }, { email: s.yourEmail, password: s.yourPassword });
    if (missing.length > 0) {
      refuse(mapUserErrors(missing, fields));
      return;
    }

    const result = await login({ input: { email, password } });
    if (result.error) {
      refuse(noErrors(), describeError(result.error));
      return;
    }
    const payload = result.data?.login;
    if (!payload || payload.userErrors.length > 0 || !payload.viewer?.authenticated) {
      refuse(mapUserErrors(payload?.userErrors ?? [], fields));
      return;
    }
    navigate(next ?? '/', { replace: true });
    restart();
  }

  return (
    <>
      <title>{`${s.title} · Tradehub`}</title>
      <div className="auth">
        <div className="card auth-card">
          <div className="card-body">
            <h1 className="auth-title">{s.heading}</h1>
            {state.kind === 'signed-in' ? (
              <>
                <p>{s.signedInAs(state.viewer.user.name, state.viewer.user.email)}</p>
                <p>
                  <Link href={next ?? '/'} className="button button-primary">
                    {s.continue}
                  </Link>
                </p>
              </>
            ) : (
              <>
                <p className="muted">{s.invitedEmail}</p>
                {signedOut && attempt === 0 && (
                  <div className="callout callout-info" role="status">
                    <p>{s.signedOut}</p>
                  </div>
                )}
                {next && !signedOut && attempt === 0 && (
                  <div className="callout callout-info" role="status">
                    <p>{s.signInFirst}</p>
                  </div>
                )}
                <FormAlert
                  errors={errors.form}
                  problem={problem}
                  alertRef={alert}
                  title={s.notSignedIn}
                />
                <form ref={form} className="form" onSubmit={onSubmit} noValidate aria-label={s.title}>
                  <Field label={s.email} errors={errors.fields.email}>
                    {(props) => (
                      <input
                        {...props}
                        name="email"
                        type="email"
                        autoComplete="username"
                        spellCheck={false}
                        required
                      />
                    )}
                  </Field>
                  <Field label={s.password} errors={errors.fields.password}>
                    {(props) => (
                      <input {...props} name="password" type="password" autoComplete="current-password" required />
                    )}
                  </Field>
                  <button type="submit" className="button button-primary button-block" disabled={fetching}>
                    {fetching ? s.submitting : s.submit}
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
