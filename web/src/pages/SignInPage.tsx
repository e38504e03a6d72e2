import { useId, useState, type FormEvent } from 'react';

export function SignInPage() {
  const emailId = useId();
  const passwordId = useId();
  const [submitted, setSubmitted] = useState(false);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    // The API has no `login` mutation until accounts exist. The browser has already checked the
    // fields (required, email format); the accounts issue sends them with the mutation here and
    // shows its userErrors. Until then the form says so rather than pretending to sign in.
    setSubmitted(true);
  }

  return (
    <>
      <title>Sign in · Tradehub</title>
      <div className="auth">
        <div className="card auth-card">
          <div className="card-body">
            <h1 className="auth-title">Sign in to Tradehub</h1>
            <p className="muted">Use the email address your account manager invited.</p>

            {submitted && (
              <div className="callout callout-info" role="alert">
                <p className="callout-title">Sign-in arrives with accounts</p>
                <p>
                  Tradehub has no user accounts yet, so nobody can sign in. You were not signed in
                  and nothing was sent.
                </p>
              </div>
            )}

            <form className="form" onSubmit={onSubmit}>
              <div className="field">
                <label htmlFor={emailId}>Email</label>
                <input
                  id={emailId}
                  name="email"
                  type="email"
                  autoComplete="username"
                  required
                  spellCheck={false}
                />
              </div>
              <div className="field">
                <label htmlFor={passwordId}>Password</label>
                <input
                  id={passwordId}
                  name="password"
                  type="password"
                  autoComplete="current-password"
                  required
                />
              </div>
              <button type="submit" className="button button-primary button-block">
                Sign in
              </button>
            </form>
          </div>
        </div>
      </div>
    </>
  );
}
