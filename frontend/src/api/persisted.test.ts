import type { DocumentNode } from "graphql";
import { describe, expect, it } from "vitest";
import manifest from "../gql/persisted-documents.json";
import { documentHash } from "./client";
import * as operations from "./operations";

const documents = Object.entries(operations as Record<string, unknown>).filter(
  (entry): entry is [string, DocumentNode] =>
    typeof entry[1] === "object" && entry[1] !== null && "definitions" in entry[1],
);
const withOperation = documents.filter(([, document]) =>
  document.definitions.some((definition) => definition.kind === "OperationDefinition"),
);

describe("trusted documents", () => {
  it("every operation the app sends carries the hash of its manifest entry", async () => {
    expect(withOperation.length).toBeGreaterThan(10);
    for (const [name, document] of withOperation) {
      const hash = documentHash(document);
      expect(hash, name).toMatch(/^[0-9a-f]{64}$/);
      expect(Object.keys(manifest), name).toContain(hash);
    }
  });

  it("the manifest's keys are the SHA-256 of its texts, as the server checks", async () => {
    for (const [hash, text] of Object.entries(manifest as Record<string, string>)) {
      const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
      const hex = Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
      expect(hex).toBe(hash);
    }
  });

  it("a hand-written document has no hash, and goes as text", () => {
    expect(documentHash({ kind: "Document", definitions: [] })).toBeUndefined();
  });
});
