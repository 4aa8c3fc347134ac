import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { useMutation } from "urql";
import { RegisterMutation } from "../api/operations";
import { useAuthForm } from "../auth/useAuthForm";
import { Field, FormErrors } from "../components/Field";

const FIELDS = ["username", "email", "password", "firstName", "lastName", "phone", "dateOfBirth"] as const;

/** The server's rules, checked here first so the form can say so as you type. */
export function checkPassword(password: string): string | null {
  if (!password) return null;
  const missing: string[] = [];
  if (password.length < 12) missing.push("12 characters");
  if (!/[A-Z]/.test(password)) missing.push("an upper-case letter");
  if (!/[a-z]/.test(password)) missing.push("a lower-case letter");
  if (!/\d/.test(password)) missing.push("a digit");
  if (!/[^A-Za-z0-9]/.test(password)) missing.push("a symbol");
  return missing.length ? `Needs ${missing.join(", ")}.` : null;
}

export function RegisterPage() {
  const navigate = useNavigate();
  const { values, bind, errors, accept } = useAuthForm(FIELDS, "Registration failed.");
  const [marketing, setMarketing] = useState(false);
  const [{ fetching }, register] = useMutation(RegisterMutation);
  const passwordHint = checkPassword(values.password);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const optional = (value: string) => (value.trim() ? value.trim() : null);
    const result = await register({
      input: {
        username: values.username.trim(),
        email: values.email.trim(),
        password: values.password,
        firstName: optional(values.firstName),
        lastName: optional(values.lastName),
        phone: optional(values.phone),
        dateOfBirth: optional(values.dateOfBirth),
        marketingEmailsConsent: marketing,
      },
    });
    if (accept(result.data?.register, result.error)) navigate("/dashboard", { replace: true, state: { welcome: true } });
  };

  return (
    <div className="auth-page">
      <form className="card auth-card wide" onSubmit={onSubmit} noValidate aria-labelledby="register-title">
        <h1 id="register-title">Create your account</h1>
        <p className="muted">Paper money only. Deposit play cash once you're in.</p>
        <FormErrors messages={errors.form} />
        <div className="grid-2">
          <Field label="Username" {...bind("username")} hint="6 to 30 letters, digits or underscores." autoComplete="username" required />
          <Field label="Email" type="email" {...bind("email")} autoComplete="email" required />
        </div>
        <Field
          label="Password"
          type="password"
          {...bind("password")}
          hint={passwordHint ?? (values.password ? "Strong enough." : "At least 12 characters with upper and lower case, a digit and a symbol.")}
          autoComplete="new-password"
          required
        />
        <div className="grid-2">
          <Field label="First name (optional)" {...bind("firstName")} autoComplete="given-name" />
          <Field label="Last name (optional)" {...bind("lastName")} autoComplete="family-name" />
          <Field label="Phone (optional)" type="tel" {...bind("phone")} autoComplete="tel" />
          <Field label="Date of birth (optional)" type="date" {...bind("dateOfBirth")} autoComplete="bday" />
        </div>
        <label className="check">
          <input type="checkbox" checked={marketing} onChange={(event) => setMarketing(event.target.checked)} />
          Send me product news by email
        </label>
        <button type="submit" className="btn primary block" disabled={fetching}>
          {fetching ? "Creating your account…" : "Create account"}
        </button>
        <p className="muted small">
          Already have an account? <Link to="/login">Sign in</Link>
        </p>
      </form>
    </div>
  );
}
