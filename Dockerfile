# syntax=docker/dockerfile:1
#
# The API image, in three stages:
#   web      builds the single-page app (Node.js), served by the API at /
#   build    builds a virtualenv from the hashed lock files and installs the project
#   runtime  a slim Python with that virtualenv, the code and the app, run as a non-root user
#
# Nothing secret is baked in: JWT_SECRET, DATABASE_URL and friends come from the
# environment at run time (docker-compose.yml, deploy/k8s/). Build with
#   docker build -t cnop .

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:22-bookworm-slim

# ---------------------------------------------------------------------- web app
FROM ${NODE_IMAGE} AS web
ENV CI=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
# The app's GraphQL types are generated from the committed schema.
COPY schema/schema.graphql /src/schema/schema.graphql
RUN npm run build

# ------------------------------------------------------------------- virtualenv
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
# Only the runtime's share of requirements.lock (deploy/runtime_lock.py derives it):
# the same pins and hashes, none of the development tools.
COPY deploy/requirements.runtime.lock deploy/requirements.build.lock /tmp/locks/
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --require-hashes --no-deps -r /tmp/locks/requirements.runtime.lock \
 && /opt/venv/bin/pip install --require-hashes --no-deps -r /tmp/locks/requirements.build.lock
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY domain/ domain/
COPY persistence/ persistence/
COPY resolvers/ resolvers/
COPY schema/ schema/
COPY web/ web/
COPY migrations/ migrations/
# Editable, like `make`: the code stays in /app (migrations and data files are found
# beside it) and the `cnop` command lands in the virtualenv. The build backend goes
# once it has done its job.
RUN /opt/venv/bin/pip install --no-deps --no-build-isolation -e . \
 && /opt/venv/bin/pip uninstall --yes setuptools \
 && rm -rf /app/*.egg-info \
 && /opt/venv/bin/python -m compileall -q /app /opt/venv/lib

# ---------------------------------------------------------------------- runtime
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="cnop" \
      org.opencontainers.image.description="GraphQL backend-for-frontend of a paper-trading platform"
RUN groupadd --system --gid 10001 cnop \
 && useradd --system --uid 10001 --gid cnop --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin cnop
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    APP_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATA_DIR=/tmp/cnop
WORKDIR /app
# Code and virtualenv belong to root and are read-only for the user that runs them.
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
COPY --from=web /src/frontend/dist /app/frontend/dist
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health/live' % os.environ.get('PORT', '8000'), timeout=2)"]
# uvicorn drains on SIGTERM: websockets get 1001, in-flight requests finish (SHUTDOWN_TIMEOUT_S).
STOPSIGNAL SIGTERM
CMD ["cnop", "serve"]
