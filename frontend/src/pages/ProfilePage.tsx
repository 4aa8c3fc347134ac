import { useEffect, useState, type FormEvent } from "react";
import { useClient, useMutation, useQuery } from "urql";
import { ChangePasswordMutation, LoginMutation, ProfileQuery, UpdateProfileMutation } from "../api/operations";
import type { UserProfileFragment } from "../gql/graphql";
import { useAuth } from "../auth/AuthProvider";
import { Field, FormErrors } from "../components/Field";
import { ErrorBanner, Loading } from "../components/Status";
import { formatDate } from "../lib/dates";
import { answerErrors, describeRequestError, hasErrors, withoutField, type PlacedErrors } from "../lib/errors";
import { checkPassword } from "./RegisterPage";

const PROFILE_FIELDS = ["email", "firstName", "lastName", "phone", "dateOfBirth", "marketingEmailsConsent"] as const;
const PASSWORD_FIELDS = ["currentPassword", "newPassword"] as const;
const NO_ERRORS: PlacedErrors = { fields: {}, form: [] };

type ProfileValues = { email: string; firstName: string; lastName: string; phone: string; dateOfBirth: string; marketingEmailsConsent: boolean };

function valuesOf(user: UserProfileFragment): ProfileValues {
  return {
    email: user.email,
    firstName: user.firstName ?? "",
    lastName: user.lastName ?? "",
    phone: user.phone ?? "",
    dateOfBirth: user.dateOfBirth ?? "",
    marketingEmailsConsent: user.marketingEmailsConsent,
  };
}

export function ProfileForm({ user }: { user: UserProfileFragment }) {
  const [values, setValues] = useState<ProfileValues>(() => valuesOf(user));
  const [errors, setErrors] = useState<PlacedErrors>(NO_ERRORS);
  const [saved, setSaved] = useState(false);
  const [{ fetching }, update] = useMutation(UpdateProfileMutation);
  useEffect(() => setValues(valuesOf(user)), [user]);

  const set = (name: keyof ProfileValues) => (value: string) => {
    setValues((current) => ({ ...current, [name]: value }));
    setErrors((current) => withoutField(current, name));
    setSaved(false);
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    // Only what changed: fields left out stay as they are on the server.
    const original = valuesOf(user);
    const input: Record<string, string | boolean> = {};
    for (const key of ["email", "firstName", "lastName", "phone", "dateOfBirth"] as const) {
      const value = values[key].trim();
      if (value !== original[key]) input[key] = value;
    }
    if (values.marketingEmailsConsent !== original.marketingEmailsConsent) input.marketingEmailsConsent = values.marketingEmailsConsent;
    if (Object.keys(input).length === 0) {
      setErrors(NO_ERRORS);
      setSaved(true);
      return;
    }
    const result = await update({ input });
    const placed = answerErrors(result.data?.updateProfile, result.error, "The profile was not saved.", PROFILE_FIELDS);
    setErrors(placed);
    // An empty errors list is success, whatever else the payload holds.
    if (!hasErrors(placed)) setSaved(true);
  };

  return (
    <form className="card" onSubmit={onSubmit} noValidate aria-labelledby="profile-title" data-testid="profile-form">
      <h2 id="profile-title">Profile</h2>
      <FormErrors messages={errors.form} />
      {saved && (
        <p className="banner success" role="status">
          Your profile is saved.
        </p>
      )}
      <Field label="Email" name="email" type="email" value={values.email} onChange={set("email")} error={errors.fields.email} autoComplete="email" />
      <div className="grid-2">
        <Field label="First name" name="firstName" value={values.firstName} onChange={set("firstName")} error={errors.fields.firstName} autoComplete="given-name" />
        <Field label="Last name" name="lastName" value={values.lastName} onChange={set("lastName")} error={errors.fields.lastName} autoComplete="family-name" />
        <Field label="Phone" name="phone" type="tel" value={values.phone} onChange={set("phone")} error={errors.fields.phone} autoComplete="tel" />
        <Field label="Date of birth" name="dateOfBirth" type="date" value={values.dateOfBirth} onChange={set("dateOfBirth")} error={errors.fields.dateOfBirth} autoComplete="bday" />
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={values.marketingEmailsConsent}
          onChange={(event) => {
            setValues((current) => ({ ...current, marketingEmailsConsent: event.target.checked }));
            setSaved(false);
          }}
        />
        Send me product news by email
      </label>
      {errors.fields.marketingEmailsConsent && <p className="field-error">{errors.fields.marketingEmailsConsent}</p>}
      <button type="submit" className="btn primary" disabled={fetching}>
        {fetching ? "Saving…" : "Save profile"}
      </button>
    </form>
  );
}

function PasswordForm({ username }: { username: string }) {
  const { signIn } = useAuth();
  const client = useClient();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [errors, setErrors] = useState<PlacedErrors>(NO_ERRORS);
  const [done, setDone] = useState(false);
  const [{ fetching }, change] = useMutation(ChangePasswordMutation);
  const mismatch = confirm && confirm !== next ? "The two new passwords differ." : null;
  const weak = checkPassword(next);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    if (mismatch || weak) return;
    const result = await change({ input: { currentPassword: current, newPassword: next } });
    const placed = answerErrors(result.data?.changePassword, result.error, "The password was not changed.", PASSWORD_FIELDS);
    if (hasErrors(placed)) {
      setErrors(placed);
      return;
    }
    // A password change revokes every token, this one included: sign in again with the new one.
    const login = await client.mutation(LoginMutation, { input: { username, password: next } }, { requestPolicy: "network-only" }).toPromise();
    const session = login.data?.login;
    if (session?.token) signIn({ token: session.token, expiresAt: session.expiresAt });
    setErrors(NO_ERRORS);
    setCurrent("");
    setNext("");
    setConfirm("");
    setDone(true);
  };

  return (
    <form className="card" onSubmit={onSubmit} noValidate aria-labelledby="password-title" data-testid="password-form">
      <h2 id="password-title">Change password</h2>
      <p className="muted small">Changing it signs out every other device.</p>
      <FormErrors messages={errors.form} />
      {done && (
        <p className="banner success" role="status">
          Password changed. Other sessions are signed out.
        </p>
      )}
      <Field label="Current password" name="currentPassword" type="password" value={current} onChange={setCurrent} error={errors.fields.currentPassword} autoComplete="current-password" />
      <Field label="New password" name="newPassword" type="password" value={next} onChange={setNext} error={errors.fields.newPassword ?? (next ? weak : null)} autoComplete="new-password" />
      <Field label="Repeat new password" name="confirmPassword" type="password" value={confirm} onChange={setConfirm} error={mismatch} autoComplete="new-password" />
      <button type="submit" className="btn primary" disabled={fetching || !current || !next || !!mismatch || !!weak || confirm !== next}>
        {fetching ? "Changing…" : "Change password"}
      </button>
    </form>
  );
}

export function ProfilePage() {
  const [{ data, fetching, error }] = useQuery({ query: ProfileQuery });
  const me = data?.me;
  if (fetching && !me) return <Loading label="Loading your profile…" />;
  if (!me) return <ErrorBanner message={describeRequestError(error) ?? "Could not load your profile."} />;
  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>{me.username}</h1>
          <p className="muted">Member since {formatDate(me.createdAt)}</p>
        </div>
      </header>
      <div className="profile-grid">
        <ProfileForm user={me} />
        <PasswordForm username={me.username} />
      </div>
    </div>
  );
}
