import { useState, type FormEvent } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { useMutation } from "urql";
import { LoginMutation } from "../api/operations";
import { useAuth } from "../auth/AuthProvider";
import { Field, FormErrors } from "../components/Field";
import { describeRequestError, placeErrors, withoutField, type PlacedErrors } from "../lib/errors";

const FIELDS = ["username", "password"] as const;

export function LoginPage() {
  const { signIn } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string; signedOut?: boolean } | null)?.from ?? "/dashboard";
  const signedOut = (location.state as { signedOut?: boolean } | null)?.signedOut ?? false;
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<PlacedErrors>({ fields: {}, form: [] });
  const [{ fetching }, login] = useMutation(LoginMutation);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await login({ input: { username: username.trim(), password } });
    const payload = result.data?.login;
    if (!payload) {
      setErrors({ fields: {}, form: [describeRequestError(result.error) ?? "Sign-in failed."] });
      return;
    }
    if (payload.errors.length || !payload.token) {
      setErrors(placeErrors(payload.errors, FIELDS));
      return;
    }
    signIn({ token: payload.token, expiresAt: payload.expiresAt });
    navigate(from, { replace: true });
  };

  return (
    <div className="auth-page">
      <form className="card auth-card" onSubmit={onSubmit} noValidate aria-labelledby="login-title">
        <h1 id="login-title">Sign in</h1>
        {signedOut && <p className="banner info">You have signed out.</p>}
        <FormErrors messages={errors.form} />
        <Field
          label="Username or email"
          name="username"
          value={username}
          onChange={(value) => {
            setUsername(value);
            setErrors((current) => withoutField(current, "username"));
          }}
          error={errors.fields.username}
          autoComplete="username"
          required
        />
        <Field
          label="Password"
          name="password"
          type="password"
          value={password}
          onChange={(value) => {
            setPassword(value);
            setErrors((current) => withoutField(current, "password"));
          }}
          error={errors.fields.password}
          autoComplete="current-password"
          required
        />
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
