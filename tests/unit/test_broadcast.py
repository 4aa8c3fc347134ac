"""Which variables make one subscription event's execution differ from another's."""

from __future__ import annotations

from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse

from schema.broadcast import _variables_read_per_event


def read_per_event(document: str) -> set[str]:
    definitions = parse(document).definitions
    operation = definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    fragments = {d.name.value: d for d in definitions[1:] if isinstance(d, FragmentDefinitionNode)}
    return _variables_read_per_event(operation, fragments)


def test_the_root_fields_arguments_do_not_split_subscribers():
    # `symbols` picks which ticks arrive; every tick executes the same for everyone.
    document = """subscription($s: [String!]) {
      prices(symbols: $s) { symbol price priceChange24h at } }"""
    assert read_per_event(document) == set()


def test_variables_read_below_the_root_field_do():
    document = """subscription($s: [String!], $full: Boolean!, $deep: Boolean!) {
      prices(symbols: $s) { symbol price @include(if: $full) ...More } }
      fragment More on PriceTick { at @skip(if: $deep) }"""
    assert read_per_event(document) == {"full", "deep"}
