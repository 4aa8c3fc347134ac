import type { FormEvent } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { useMutation } from "urql";
import { LoginMutation } from "../api/operations";
import { useAuthForm } from "../auth/useAuthForm";
import { Field, FormErrors } from "../components/Field";

const FIELDS = ["username", "password"] as const;

export function LoginPage() {
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string; signedOut?: boolean } | null)?.from ?? "/dashboard";
  const signedOut = (location.state as { signedOut?: boolean } | null)?.signedOut ?? false;
  const { values, bind, errors, accept } = useAuthForm(FIELDS, "Sign-in failed.");
  const { username, password } = values;
  const [{ fetching }, login] = useMutation(LoginMutation);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await login({ input: { username: username.trim(), password } });
    if (accept(result.data?.login, result.error)) navigate(from, { replace: true });
  };

  return (
    <div className="auth-page">
      <form className="card auth-card" onSubmit={onSubmit} noValidate aria-labelledby="login-title">
        <h1 id="login-title">Sign in</h1>
        {signedOut && <p className="banner info">You have signed out.</p>}
        <FormErrors messages={errors.form} />
        <Field label="Username or email" {...bind("username")} autoComplete="username" required />
        <Field label="Password" type="password" {...bind("password")} autoComplete="current-password" required />
        <button type="submit" className="btn primary block" disabled={fetching || !username || !password}>
          {fetching ? "Signing in…" : "Sign in"}
        </button>
        <p className="muted small">
          New here? <Link to="/register">Create an account</Link>
        </p>
      </form>
    </div>
  );
}
