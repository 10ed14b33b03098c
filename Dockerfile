# rapport in a container: the Slack app, the Discord bot, or both, with /healthz, /readyz and
# /metrics on port 3000.
#
#   docker build -t rapport .
#   docker run --env-file deploy/rapport.env -p 3000:3000 -v rapport-data:/data rapport slack
#
# The argument is what `rapport serve` runs: slack (the default), discord or all. The SQLite
# database lives in the /data volume unless RAPPORT_DATABASE_URL names a PostgreSQL server
# (see compose.yaml).
ARG PYTHON_VERSION=3.11

# -- build: the project and its runtime dependencies, installed into a virtual environment ----
FROM python:${PYTHON_VERSION}-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/rapport
WORKDIR /src
COPY pyproject.toml hatch_build.py README.md LICENSE ./
COPY rapport rapport
COPY bot bot
COPY adapters adapters
COPY rules rules
COPY templates templates
RUN /opt/rapport/bin/pip install . \
 && /opt/rapport/bin/rapport rules >/dev/null

# -- runtime: the virtual environment only, run by an unprivileged user -----------------------
FROM python:${PYTHON_VERSION}-slim
RUN groupadd --system --gid 10001 rapport \
 && useradd --system --uid 10001 --gid rapport --create-home --home-dir /home/rapport rapport \
 && mkdir /data && chown rapport:rapport /data
COPY --from=build /opt/rapport /opt/rapport
ENV PATH=/opt/rapport/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    RAPPORT_HOST=0.0.0.0 \
    RAPPORT_PORT=3000 \
    RAPPORT_DATABASE_URL=sqlite:////data/rapport.db
USER rapport
WORKDIR /home/rapport
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-m", "rapport.adapters.healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["rapport", "serve"]
CMD ["slack"]
