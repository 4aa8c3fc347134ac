"""The GraphiQL playground a browser gets at /graphql (when GRAPHIQL is on).

The page and its scripts are the web app build's second page
(frontend/graphiql.html, bundled from the `graphiql` package into
frontend/dist/assets): nothing is loaded from another host, so the playground
works on a machine without outside network. Without a build (no Node.js where
the server was set up) the page says how to get one instead of showing a
playground that can never load.
"""

from __future__ import annotations

from pathlib import Path

from starlette.responses import HTMLResponse, Response

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cnop · GraphiQL</title></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>The GraphiQL playground is not built</h1>
<p>The playground is bundled with the web app, which Node.js builds. Install Node.js
20.19 or newer and npm, then run <code>make run</code> again (or
<code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code>).</p>
<p>The API itself works without it: POST GraphQL requests to <code>/graphql</code>.</p>
</body></html>
"""


def playground_page(page: Path) -> Response:
    """The built playground page; 503 with the way to build it when there is none."""
    try:
        html = page.read_text(encoding="utf-8")
    except OSError:
        return HTMLResponse(NOT_BUILT, status_code=503, headers={"Cache-Control": "no-cache"})
    # The page names its assets by content hash: revalidate the page, never the assets.
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})
