import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ExportDownloads, attachmentName } from "./ExportDownloads";

describe("attachmentName", () => {
  it("takes the server's filename, else ours", () => {
    expect(attachmentName('attachment; filename="orders-2026-12-04.csv"', "orders.csv")).toBe("orders-2026-12-04.csv");
    expect(attachmentName(null, "orders.csv")).toBe("orders.csv");
  });
});

describe("ExportDownloads", () => {
  afterEach(() => vi.restoreAllMocks());

  it("fetches the file with the bearer token and saves it under the server's name", async () => {
    const fetchImpl = vi.fn(
      async () =>
        new Response("id,created_at\r\n", {
          status: 200,
          headers: { "Content-Type": "text/csv", "Content-Disposition": 'attachment; filename="transactions-2026-12-04.csv"' },
        }),
    );
    URL.createObjectURL = vi.fn(() => "blob:csv");
    URL.revokeObjectURL = vi.fn();
    const saved: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(`${this.download} ${this.href}`);
    });
    render(<ExportDownloads token="tok-1" fetchImpl={fetchImpl as unknown as typeof fetch} />);
    await userEvent.click(screen.getByRole("button", { name: "Ledger (CSV)" }));
    expect(fetchImpl).toHaveBeenCalledWith("/export/transactions.csv", { headers: { Authorization: "Bearer tok-1" } });
    expect(saved).toEqual(["transactions-2026-12-04.csv blob:csv"]);
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("says so when the session has ended", async () => {
    const fetchImpl = vi.fn(async () => new Response("{}", { status: 401 }));
    render(<ExportDownloads token="old" fetchImpl={fetchImpl as unknown as typeof fetch} />);
    await userEvent.click(screen.getByRole("button", { name: "Orders (CSV)" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Your session has ended");
  });
});
