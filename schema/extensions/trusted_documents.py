"""Trusted documents: operations named by hash, and (in production) only the web app's.

The web app's build writes every operation it can send, keyed by its SHA-256, to
``persisted-documents.json`` (graphql-codegen's persisted documents), and sends
the hash instead of the text, Apollo's way: ``extensions.persistedQuery.sha256Hash``
(``@urql/exchange-persisted``). With ``only_trusted`` (``TRUSTED_DOCUMENTS_ONLY``)
any other document is refused with DOCUMENT_NOT_TRUSTED, whether it comes by
hash or as text, over HTTP or a websocket; without it (development) text is
accepted as ever, so GraphiQL keeps working.

A text counts as trusted when it is one of the manifest's documents up to layout,
the order of selections and ``__typename`` selections (which urql adds), so the app's
subscriptions, sent as text over the websocket, pass. The check is a validation
rule: the ValidationCache keeps its verdict per document, and it refuses before
any resolver runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    GraphQLError,
    SelectionSetNode,
    ValidationContext,
    Visitor,
    parse,
    print_ast,
    visit,
)
from graphql.language.visitor import REMOVE
from strawberry.extensions import SchemaExtension

NOT_FOUND_CODE = "PERSISTED_QUERY_NOT_FOUND"
NOT_FOUND_MESSAGE = "PersistedQueryNotFound"
"""Apollo's message, which clients (urql's persistedExchange) read to send the text."""
NOT_TRUSTED_CODE = "DOCUMENT_NOT_TRUSTED"
NOT_FOUND_DOCUMENT = "query PersistedQueryNotFound { __typename }"
"""Stands in for a hash the manifest lacks, so that the refusal is an ordinary
validation error (an extension that raised before the operation would skip the
other extensions' bookkeeping)."""


_NOT_FOUND_PRINTED = print_ast(parse(NOT_FOUND_DOCUMENT))


class ManifestError(ValueError):
    """The manifest is not a JSON object of SHA-256 hex digests to documents."""


class _Normalise(Visitor):
    """Drops ``__typename`` and sorts selections and arguments, as codegen's manifest
    prints them (graphql-tools' printExecutableGraphQLDocument)."""

    def enter_field(self, node: FieldNode, *_args: Any) -> object:
        return REMOVE if node.name.value == "__typename" and node.alias is None else None

    def leave_field(self, node: FieldNode, *_args: Any) -> object:
        if not node.arguments:
            return None
        arguments = tuple(sorted(node.arguments, key=lambda argument: argument.name.value))
        return FieldNode(
            alias=node.alias,
            name=node.name,
            arguments=arguments,
            directives=node.directives,
            selection_set=node.selection_set,
        )

    def leave_selection_set(self, node: SelectionSetNode, *_args: Any) -> object:
        return SelectionSetNode(selections=tuple(sorted(node.selections, key=print_ast)))


def canonical(document: DocumentNode) -> str:
    """The document's text without layout or ``__typename`` selections, its
    selections, arguments and definitions each in one order (codegen's manifest sorts
    them; urql sends them as written, fragments last)."""
    stripped = visit(document, _Normalise())
    return "\n".join(sorted(print_ast(definition) for definition in stripped.definitions))


@lru_cache(maxsize=1024)
def _canonical_text(text: str) -> str:
    return canonical(parse(text, no_location=True))


class TrustedDocuments:
    """The web app's operations, by hash, and their canonical forms."""

    def __init__(self, documents: Mapping[str, str]) -> None:
        self.by_hash = dict(documents)
        self.canonical_forms = frozenset(_canonical_text(text) for text in self.by_hash.values())

    @classmethod
    def from_manifest(cls, manifest: object) -> TrustedDocuments:
        """From codegen's persisted-documents.json (already decoded), each hash checked."""
        if not isinstance(manifest, dict):
            raise ManifestError("the manifest must be a JSON object of hash to document")
        for digest, text in manifest.items():
            if not isinstance(text, str) or sha256(text) != digest:
                raise ManifestError(f"the manifest's entry {digest!r} is not its text's SHA-256")
        return cls(manifest)

    def __len__(self) -> int:
        return len(self.by_hash)

    def trusts(self, document: DocumentNode) -> bool:
        return canonical(document) in self.canonical_forms


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def requested_hash(extensions: Mapping[str, Any] | None) -> str | None:
    """``extensions.persistedQuery.sha256Hash`` of a request, when it names one."""
    persisted = (extensions or {}).get("persistedQuery")
    if not isinstance(persisted, dict):
        return None
    digest = persisted.get("sha256Hash")
    return digest if isinstance(digest, str) else None


def trust_rule(documents: TrustedDocuments, *, only_trusted: bool) -> type[ASTValidationRule]:
    """The validation rule (one class per schema, so ValidationCache keys stay stable)."""

    class TrustedDocumentRule(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            document = context.document
            if print_ast(document) == _NOT_FOUND_PRINTED:
                context.report_error(
                    GraphQLError(NOT_FOUND_MESSAGE, extensions={"code": NOT_FOUND_CODE})
                )
            elif only_trusted and not documents.trusts(document):
                context.report_error(
                    GraphQLError(
                        "This server runs only the documents of its web app; "
                        "send one of them by its hash.",
                        extensions={"code": NOT_TRUSTED_CODE},
                    )
                )

    return TrustedDocumentRule


class TrustedDocumentsExtension(SchemaExtension):
    """Puts the manifest's text in place of a hash, and adds the trust rule."""

    def __init__(self, documents: TrustedDocuments, rule: type[ASTValidationRule]) -> None:
        self.documents = documents
        self.rule = rule

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        digest = requested_hash(context.operation_extensions)
        # A text sent with its hash (Apollo's registration after a miss) is judged as text.
        if digest is not None and not context.query:
            context.query = self.documents.by_hash.get(digest, NOT_FOUND_DOCUMENT)
        context.validation_rules = (*context.validation_rules, self.rule)
        yield
