import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { useMutation } from "urql";
import { RegisterMutation } from "../api/operations";
import { useAuth } from "../auth/AuthProvider";
import { Field, FormErrors } from "../components/Field";
import { describeRequestError, placeErrors, withoutField, type PlacedErrors } from "../lib/errors";

const FIELDS = ["username", "email", "password", "firstName", "lastName", "phone", "dateOfBirth"] as const;
type FieldName = (typeof FIELDS)[number];

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
  const { signIn } = useAuth();
  const navigate = useNavigate();
  const [values, setValues] = useState<Record<FieldName, string>>({
    username: "",
    email: "",
    password: "",
    firstName: "",
    lastName: "",
    phone: "",
    dateOfBirth: "",
  });
  const [marketing, setMarketing] = useState(false);
  const [errors, setErrors] = useState<PlacedErrors>({ fields: {}, form: [] });
  const [{ fetching }, register] = useMutation(RegisterMutation);
  const set = (name: FieldName) => (value: string) => {
    setValues((current) => ({ ...current, [name]: value }));
    setErrors((current) => withoutField(current, name));
  };
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
    const payload = result.data?.register;
    if (!payload) {
      setErrors({ fields: {}, form: [describeRequestError(result.error) ?? "Registration failed."] });
      return;
    }
    if (payload.errors.length || !payload.token) {
      setErrors(placeErrors(payload.errors, FIELDS));
      return;
    }
    signIn({ token: payload.token, expiresAt: payload.expiresAt });
    navigate("/dashboard", { replace: true, state: { welcome: true } });
  };

  const field = (name: FieldName) => errors.fields[name];
  return (
    <div className="auth-page">
      <form className="card auth-card wide" onSubmit={onSubmit} noValidate aria-labelledby="register-title">
        <h1 id="register-title">Create your account</h1>
        <p className="muted">Paper money only. Deposit play cash once you're in.</p>
        <FormErrors messages={errors.form} />
        <div className="grid-2">
          <Field label="Username" name="username" value={values.username} onChange={set("username")} error={field("username")} hint="6 to 30 letters, digits or underscores." autoComplete="username" required />
          <Field label="Email" name="email" type="email" value={values.email} onChange={set("email")} error={field("email")} autoComplete="email" required />
        </div>
        <Field
          label="Password"
          name="password"
          type="password"
          value={values.password}
          onChange={set("password")}
          error={field("password")}
          hint={passwordHint ?? (values.password ? "Strong enough." : "At least 12 characters with upper and lower case, a digit and a symbol.")}
          autoComplete="new-password"
          required
        />
        <div className="grid-2">
          <Field label="First name (optional)" name="firstName" value={values.firstName} onChange={set("firstName")} error={field("firstName")} autoComplete="given-name" />
          <Field label="Last name (optional)" name="lastName" value={values.lastName} onChange={set("lastName")} error={field("lastName")} autoComplete="family-name" />
          <Field label="Phone (optional)" name="phone" type="tel" value={values.phone} onChange={set("phone")} error={field("phone")} autoComplete="tel" />
          <Field label="Date of birth (optional)" name="dateOfBirth" type="date" value={values.dateOfBirth} onChange={set("dateOfBirth")} error={field("dateOfBirth")} autoComplete="bday" />
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
