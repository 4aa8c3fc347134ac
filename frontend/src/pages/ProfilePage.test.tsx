import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { mockClient, withClient } from "../test/urql";
import { ProfileForm } from "./ProfilePage";

const user = {
  __typename: "User" as const,
  id: "1",
  username: "grace_h",
  email: "grace@example.com",
  firstName: "Grace",
  lastName: null,
  phone: null,
  dateOfBirth: null,
  marketingEmailsConsent: false,
  createdAt: "2026-11-28T09:00:00+00:00",
  updatedAt: "2026-11-28T09:00:00+00:00",
};

describe("ProfileForm", () => {
  it("reports a successful update as a success (empty errors list)", async () => {
    const mock = mockClient({ mutation: () => ({ updateProfile: { __typename: "UserPayload", user: { ...user, lastName: "Hopper" }, errors: [] } }) });
    render(<ProfileForm user={user} />, { wrapper: withClient(mock.client) });
    await userEvent.type(screen.getByLabelText("Last name"), "Hopper");
    await userEvent.click(screen.getByRole("button", { name: "Save profile" }));
    expect(await screen.findByText("Your profile is saved.")).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    expect(mock.executeMutation.mock.calls[0][0].variables.input).toEqual({ lastName: "Hopper" });
  });

  it("puts a rejected field's message under that field, and clears it on edit", async () => {
    const mock = mockClient({
      mutation: () => ({ updateProfile: { __typename: "UserPayload", user: null, errors: [{ __typename: "UserError", code: "EMAIL_TAKEN", field: "email", message: "That email is taken." }] } }),
    });
    render(<ProfileForm user={user} />, { wrapper: withClient(mock.client) });
    await userEvent.clear(screen.getByLabelText("Email"));
    await userEvent.type(screen.getByLabelText("Email"), "ada@example.com");
    await userEvent.click(screen.getByRole("button", { name: "Save profile" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("That email is taken.");
    expect(screen.getByLabelText("Email")).toHaveAttribute("aria-invalid", "true");
    expect(screen.queryByText("Your profile is saved.")).not.toBeInTheDocument();
    await userEvent.type(screen.getByLabelText("Email"), "x");
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });
});
