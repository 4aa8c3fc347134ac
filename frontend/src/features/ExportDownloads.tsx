import { useState } from "react";
import { authHeaders } from "../api/client";

const EXPORTS = [
  { path: "/export/orders.csv", name: "orders.csv", label: "Orders (CSV)" },
  { path: "/export/transactions.csv", name: "transactions.csv", label: "Ledger (CSV)" },
] as const;

/** The filename the server proposes in Content-Disposition, else ours. */
export function attachmentName(header: string | null, fallback: string): string {
  const match = header?.match(/filename="([^"]+)"/);
  return match ? match[1] : fallback;
}

/**
 * Downloads of the user's orders and ledger. A plain link cannot carry the bearer
 * token, so the file is fetched with it and handed to the browser as a blob.
 */
export function ExportDownloads({ token, fetchImpl = fetch }: { token: string | null; fetchImpl?: typeof fetch }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const download = async (path: string, fallback: string) => {
    setBusy(path);
    setProblem(null);
    try {
      const response = await fetchImpl(path, { headers: authHeaders(token) });
      if (!response.ok) {
        setProblem(
          response.status === 401
            ? "Your session has ended: sign in again to download."
            : response.status === 429
              ? "Too many requests: try again in a minute."
              : "The download failed; try again.",
        );
        return;
      }
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const link = document.createElement("a");
      link.href = url;
      link.download = attachmentName(response.headers.get("Content-Disposition"), fallback);
      document.body.appendChild(link);
      link.click();
      link.remove();
      URL.revokeObjectURL(url);
    } catch {
      setProblem("The download failed; check your connection and try again.");
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="card" aria-labelledby="exports-title" data-testid="exports">
      <h2 id="exports-title">Downloads</h2>
      <p className="muted small">Every order and every cash movement, as CSV with exact amounts.</p>
      <div className="page-actions">
        {EXPORTS.map((item) => (
          <button key={item.path} type="button" className="btn ghost" disabled={busy !== null} onClick={() => download(item.path, item.name)}>
            {busy === item.path ? "Preparing…" : item.label}
          </button>
        ))}
      </div>
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
    </section>
  );
}
