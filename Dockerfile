# syntax=docker/dockerfile:1
# news-streams worker image: slim CPython 3.11, runtime dependencies from requirements.lock (exact
# versions), the project installed without resolving anything else, run as an unprivileged user.
#
#   docker build -t news-streams .
#   docker run --rm -e KAFKA_BOOTSTRAP_SERVERS=kafka:9092 -p 6066:6066 news-streams
#
# For reproducible production builds pin the base image by digest as well
# (--build-arg PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:...).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# Dependencies first: this layer is rebuilt only when the lock changes. Every runtime dependency
# ships as a manylinux wheel, so no compiler is needed.
COPY requirements.lock /tmp/requirements.lock
RUN pip install --only-binary=:all: -r /tmp/requirements.lock \
 && pip install setuptools==80.9.0 wheel==0.45.1
# The project itself, with --no-deps: nothing outside the lock gets in. Everything the build
# reads: the package, the build configuration (setup.py and MANIFEST.in when the build has them:
# the patterns match nothing otherwise), the licence files, and the source folders the wheel
# bundles (the record contracts and the Kafka launcher files).
COPY pyproject.toml README.md NOTICE setup.p[y] MANIFEST.i[n] /src/
COPY streams /src/streams
COPY schemas /src/schemas
COPY deploy/kafka /src/deploy/kafka
RUN pip install --no-deps --no-build-isolation /src \
 && pip uninstall -y setuptools wheel \
 && pip check

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="news-streams" \
      org.opencontainers.image.description="Arabic-first news stream processing on Apache Kafka (Faust worker)" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --system --gid 10001 news \
 && useradd --system --uid 10001 --gid news --home-dir /app --shell /usr/sbin/nologin news
COPY --from=build /opt/venv /opt/venv
# The record contracts: streams/contracts.py finds them through NEWS_SCHEMA_DIR in the image.
# (The entity model and gazetteers are package data, installed with the package.)
COPY schemas /app/schemas
WORKDIR /app
RUN mkdir -p /app/var && chown news:news /app/var
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    NEWS_SCHEMA_DIR=/app/schemas/v1 \
    NEWS_DATA_DIR=/app/var/faust \
    NEWS_WEB_HOST=0.0.0.0 \
    NEWS_WEB_PORT=6066 \
    NEWS_LOG_FORMAT=json
USER 10001:10001
EXPOSE 6066
# Healthy = ready: /readyz answers 200 once the models are loaded, the broker is reachable and
# the group is joined with partitions assigned (or legitimately idle); /healthz (liveness: the
# event loop answers) is for orchestrators that restart, e.g. the Kubernetes livenessProbe.
HEALTHCHECK --interval=15s --timeout=5s --start-period=90s --retries=3 \
  CMD ["python", "-c", "import os, sys, urllib.request; sys.exit(0 if urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('NEWS_WEB_PORT', '6066')}/readyz\", timeout=4).status == 200 else 1)"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["news-streams"]
CMD ["worker", "--loglevel=info"]
