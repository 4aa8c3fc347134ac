"""Whether an operation reads public data only, decided from the ``@public`` directive.

An operation is public when it is a query and every field it selects, fragments
expanded, is public: a field of a ``@public`` type, or a field marked ``@public``
itself. ``__typename`` and introspection (``__schema``, ``__type``) count as public:
they describe the schema, which is the same for every caller. A field of an
interface or union is private, since which object answers may depend on the caller;
the schema has none among its public types.

The answer depends on the document and the operation name alone, never on the
variables or the caller, so it is computed once per document and kept.
"""

from __future__ import annotations

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
)

from schema.public import Public

INTROSPECTION = frozenset({"__typename", "__schema", "__type"})


def _marked(definition: GraphQLObjectType | GraphQLField) -> bool:
    strawberry_definition = (definition.extensions or {}).get("strawberry-definition")
    directives = getattr(strawberry_definition, "directives", None) or ()
    return any(isinstance(directive, Public) for directive in directives)


class _Reader:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self.schema = schema
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }

    def public(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None, seen: frozenset[str]
    ) -> bool:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if not self._field(selection, parent, seen):
                    return False
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                scope = self.schema.get_type(condition.name.value) if condition else parent
                if not self.public(selection.selection_set, scope, seen):
                    return False
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None:
                    return False
                if name in seen:
                    continue  # a cycle: validation refuses the document anyway
                scope = self.schema.get_type(fragment.type_condition.name.value)
                if not self.public(fragment.selection_set, scope, seen | {name}):
                    return False
        return True

    def _field(
        self, node: FieldNode, parent: GraphQLNamedType | None, seen: frozenset[str]
    ) -> bool:
        name = node.name.value
        if name in INTROSPECTION:
            return True
        if not isinstance(parent, GraphQLObjectType):
            return False
        definition = parent.fields.get(name)
        if definition is None or not (_marked(parent) or _marked(definition)):
            return False
        if node.selection_set is None:
            return True
        return self.public(node.selection_set, get_named_type(definition.type), seen)


def reads_only_public(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None
) -> bool:
    """Whether the operation ``operation_name`` of ``document`` (the only one, when None)
    is a query of public fields only."""
    operations = [
        definition
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
        and (
            operation_name is None or (definition.name and definition.name.value == operation_name)
        )
    ]
    if len(operations) != 1 or operations[0].operation != OperationType.QUERY:
        return False
    reader = _Reader(schema, document)
    return reader.public(operations[0].selection_set, schema.query_type, frozenset())


_DECIDED: dict[tuple[int, str, str | None], bool] = {}
"""Decisions by schema, document text and operation: clients resend the same documents."""
MAX_DECIDED = 1024


def public_operation(
    schema: GraphQLSchema, query: str, document: DocumentNode, operation_name: str | None
) -> bool:
    """``reads_only_public``, computed once per document text and operation name."""
    key = (id(schema), query, operation_name)
    decided = _DECIDED.get(key)
    if decided is None:
        decided = reads_only_public(schema, document, operation_name)
        if len(_DECIDED) >= MAX_DECIDED:
            _DECIDED.clear()
        _DECIDED[key] = decided
    return decided
