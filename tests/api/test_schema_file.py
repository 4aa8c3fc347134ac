"""The committed SDL is what the server serves, and it keeps the public contract."""

from __future__ import annotations

import pytest
from graphql import build_schema
from graphql.utilities import find_breaking_changes

from schema.schema import build_schema as build_served_schema
from tests.support.paths import PROJECT as ROOT

SCHEMA_FILE = ROOT / "schema" / "schema.graphql"
CONTRACTS = ROOT.parent / "shared" / "contract"


def test_committed_schema_is_fresh():
    printed = build_served_schema().as_str() + "\n"
    assert SCHEMA_FILE.read_text() == printed, "run `make schema` and commit schema/schema.graphql"


@pytest.mark.parametrize("contract", ["schema.graphql", "schema.next.graphql"])
def test_served_schema_keeps_the_contract(contract):
    path = CONTRACTS / contract
    if not path.exists():
        pytest.skip(f"no contract at {path}")
    changes = find_breaking_changes(
        build_schema(path.read_text()), build_schema(SCHEMA_FILE.read_text())
    )
    assert [change.description for change in changes] == []
