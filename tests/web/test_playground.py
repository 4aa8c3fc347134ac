"""The GraphiQL playground at /graphql: the web app build's own page, every script
and stylesheet served by this server (no CDN), or, with no build, a page that says
how to get one. The browser test (frontend/e2e/playground.spec.ts) runs a query and
a subscription from it with every outside host blocked."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from web.app import FRONTEND_DIST, create_app

BROWSER = {"Accept": "text/html,application/xhtml+xml"}
LINKS = re.compile(r"""(?:src|href)=["']([^"']+)["']""")


async def browse(app, path: str = "/graphql") -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        return await http.get(path, headers=BROWSER)


@pytest.fixture
def built(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setattr("web.app.FRONTEND_DIST", tmp_path)
    return tmp_path


async def test_the_built_playground_page_is_served_to_a_browser(settings, runtime, built):
    page = '<div id="graphiql"></div><script type="module" src="/assets/graphiql-1.js"></script>'
    (built / "graphiql.html").write_text(page)

    response = await browse(create_app(settings, runtime))

    assert response.status_code == 200
    assert response.text == page
    assert response.headers["cache-control"] == "no-cache"


async def test_without_a_build_the_page_says_how_to_get_the_playground(settings, runtime, built):
    response = await browse(create_app(settings, runtime))

    assert response.status_code == 503
    assert "Node.js" in response.text
    assert "make run" in response.text
    assert "unpkg" not in response.text
    assert "<script" not in response.text


@pytest.fixture
def real_build() -> Path:
    page = FRONTEND_DIST / "graphiql.html"
    if not page.is_file():
        pytest.skip("frontend/dist is not built (make test builds it before the e2e)")
    return page


async def test_the_real_playground_loads_nothing_from_another_host(
    settings, runtime, real_build
) -> None:
    app = create_app(settings, runtime)
    response = await browse(app)
    assert response.status_code == 200
    links = LINKS.findall(response.text)
    assert any(link.endswith(".js") for link in links)
    assert any(link.endswith(".css") for link in links)
    for link in links:
        assert link.startswith("/"), link
        assert not link.startswith("//"), link
        asset = await browse(app, link)
        assert asset.status_code == 200, link
