"""Trusted documents: the web app names its operations by SHA-256 (codegen's persisted
documents, sent Apollo's way), and TRUSTED_DOCUMENTS_ONLY refuses any other document."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from schema.extensions.trusted_documents import sha256
from tests.support.serving import served, ws_client
from web.app import create_app
from web.config import DEFAULT_TRUSTED_DOCUMENTS, ConfigError, Settings

# As the web app's build writes them: one line, __typename where urql adds it.
ASSETS = (
    "query TopAssets($first: Int!) { __typename assets(first: $first) { __typename "
    "edges { __typename node { __typename symbol } } } }"
)
PRICES = 'subscription Ticks { __typename prices(symbols: ["BTC"]) { __typename symbol price } }'
UNLISTED = "{ assets(first: 1) { totalCount } }"


def by_hash(text: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "variables": variables or {},
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256(text)}},
    }


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "persisted-documents.json"
    path.write_text(json.dumps({sha256(text): text for text in (ASSETS, PRICES)}))
    return path


@asynccontextmanager
async def app_client(settings: Settings, runtime, **changes: Any) -> AsyncIterator[Any]:
    app = create_app(settings.model_copy(update=changes), runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


@pytest.mark.parametrize("only", [False, True])
async def test_a_document_named_by_its_hash_runs(settings, runtime, manifest, only):
    async with app_client(
        settings, runtime, trusted_documents_manifest=manifest, trusted_documents_only=only
    ) as http:
        response = await http.post("/graphql", json=by_hash(ASSETS, {"first": 2}))

    body = response.json()
    assert response.status_code == 200
    assert "errors" not in body, body
    edges = body["data"]["assets"]["edges"]
    assert len(edges) == 2
    assert edges[0]["node"]["symbol"]


@pytest.mark.parametrize("only", [False, True])
async def test_an_unknown_hash_is_refused_as_apollo_clients_expect(
    settings, runtime, manifest, only
):
    async with app_client(
        settings, runtime, trusted_documents_manifest=manifest, trusted_documents_only=only
    ) as http:
        response = await http.post("/graphql", json=by_hash(UNLISTED))

    body = response.json()
    assert codes(body) == ["PERSISTED_QUERY_NOT_FOUND"]
    # urql's persistedExchange (and Apollo's link) recognise the miss by this message.
    assert body["errors"][0]["message"] == "PersistedQueryNotFound"
    assert body.get("data") is None


async def test_any_text_runs_when_not_only_trusted(settings, runtime, manifest):
    async with app_client(settings, runtime, trusted_documents_manifest=manifest) as http:
        response = await http.post("/graphql", json={"query": UNLISTED})

    body = response.json()
    assert "errors" not in body, body
    assert body["data"]["assets"]["totalCount"] > 0


async def test_only_trusted_refuses_a_document_not_in_the_manifest(settings, runtime, manifest):
    async with app_client(
        settings, runtime, trusted_documents_manifest=manifest, trusted_documents_only=True
    ) as http:
        refused = (await http.post("/graphql", json={"query": UNLISTED})).json()
        # The manifest's own document as text, laid out differently and without the
        # __typename selections urql adds: still that document, so it runs.
        same = (
            "query TopAssets($first: Int!) {\n"
            "  assets(first: $first) { edges { node { symbol } } }\n"
            "}"
        )
        accepted = (
            await http.post("/graphql", json={"query": same, "variables": {"first": 1}})
        ).json()

    assert codes(refused) == ["DOCUMENT_NOT_TRUSTED"]
    assert refused.get("data") is None
    assert "errors" not in accepted, accepted
    assert len(accepted["data"]["assets"]["edges"]) == 1


async def test_only_trusted_holds_for_subscriptions_over_the_websocket(settings, runtime, manifest):
    only = settings.model_copy(
        update={"trusted_documents_manifest": manifest, "trusted_documents_only": True}
    )
    async with served(create_app(only, runtime)) as url, ws_client(url) as client:
        unlisted = await client.subscribe("subscription { prices { symbol } }")
        refused = await client.receive()
        trusted = await client.subscribe(PRICES)
        # A trusted subscription starts and stays open: it is not refused.
        await client.send({"id": trusted, "type": "complete"})

    assert refused["id"] == unlisted
    assert refused["type"] == "error"
    assert [error["extensions"]["code"] for error in refused["payload"]] == ["DOCUMENT_NOT_TRUSTED"]


def test_only_trusted_without_a_manifest_stops_start_up(tmp_path):
    with pytest.raises(ConfigError, match="TRUSTED_DOCUMENTS"):
        Settings.from_env(
            {
                "TRUSTED_DOCUMENTS_ONLY": "true",
                "TRUSTED_DOCUMENTS_MANIFEST": str(tmp_path / "missing.json"),
            }
        )


def test_a_manifest_whose_hash_does_not_match_its_text_is_refused(settings, runtime, tmp_path):
    forged = tmp_path / "persisted-documents.json"
    forged.write_text(json.dumps({sha256(ASSETS): UNLISTED}))
    with pytest.raises(ConfigError, match="SHA-256"):
        create_app(settings.model_copy(update={"trusted_documents_manifest": forged}), runtime)


@pytest.mark.skipif(
    not DEFAULT_TRUSTED_DOCUMENTS.is_file(), reason="the web app is not built (frontend/dist)"
)
async def test_the_web_apps_own_manifest_runs_its_catalogue_query(settings, runtime):
    manifest = json.loads(DEFAULT_TRUSTED_DOCUMENTS.read_text())
    assert manifest, "the build wrote no operations"
    async with app_client(
        settings,
        runtime,
        trusted_documents_manifest=DEFAULT_TRUSTED_DOCUMENTS,
        trusted_documents_only=True,
    ) as http:
        unlisted = (await http.post("/graphql", json={"query": UNLISTED})).json()
    assert codes(unlisted) == ["DOCUMENT_NOT_TRUSTED"]


async def test_a_query_named_by_its_hash_runs_over_get(settings, runtime, manifest):
    # The web app loads the catalogue by GET (cacheable) and names it by hash.
    async with app_client(
        settings, runtime, trusted_documents_manifest=manifest, trusted_documents_only=True
    ) as http:
        request = by_hash(ASSETS, {"first": 2})
        response = await http.get(
            "/graphql",
            params={key: json.dumps(value) for key, value in request.items()},
        )
    assert response.status_code == 200, response.text
    assert len(response.json()["data"]["assets"]["edges"]) == 2
    assert response.headers["cache-control"].startswith("public")
