# Lavka: one build, three images, plus the PgBouncer image that pools their database connections.
#
#   docker build --target api-service             -t api-service:v1 .
#   docker build --target data-processing-service -t data-processing-service:v1 .
#   docker build --target web-interface           -t web-interface:v1 .
#   docker build --target pgbouncer               -t pgbouncer:v1 .
#
# Stages: base -> deps (npm install) -> build (sources + Prisma client) -> build-api /
# build-processor / build-web -> runtime (non-root user, labels) -> one stage per target.
# The runtime stages start again from the bare base image and copy in only build output:
# esbuild bundles for the API and processor (no node_modules at all), Next's standalone
# output for the web (its traced production dependencies only). No sources, no dev
# dependencies, no source maps, nothing from reference/ (the reference external services).
#
# Signals: node runs as PID 1 and every service handles SIGTERM itself (API and processor drain
# and close their pools; Next's standalone server exits at once, so the Kubernetes manifests
# give it a preStop delay). None of them spawns child processes, so no init (tini) is needed
# to reap zombies; `docker run --init` adds one if you want it anyway.
#
# Build arguments: BASE_IMAGE (any Debian bookworm-based Node 24 image; scripts/build-images.sh
# passes a locally built one where no registry is reachable), PGBOUNCER_BASE_IMAGE (plain Debian
# bookworm for the pgbouncer target), VERSION, REVISION, CREATED, SOURCE_URL (OCI labels).
# Uses only Dockerfile features built into Docker 20.10's BuildKit (no `# syntax=` line, which
# would have to pull a frontend image).

ARG BASE_IMAGE=node:24-bookworm-slim
ARG PGBOUNCER_BASE_IMAGE=debian:bookworm-slim

# ---------------------------------------------------------------------------------------------
FROM ${BASE_IMAGE} AS base
ENV NEXT_TELEMETRY_DISABLED=1 \
    CHECKPOINT_DISABLE=1 \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
WORKDIR /app

# ---------------------------------------------------------------------------------------------
# Dependencies, from the lockfile only, so source edits do not reinstall. `npm install`, not
# `npm ci`: the lockfile deliberately lacks the macOS/Windows @next/swc builds, which `npm ci`
# rejects (see docs/deploy.md). Install scripts are skipped as on the development machines.
FROM base AS deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm install --no-audit --no-fund --ignore-scripts --include=dev

# ---------------------------------------------------------------------------------------------
FROM deps AS build
COPY . .
# The generated Prisma client is bundled into the API and processor.
RUN npm run db:generate

FROM build AS build-api
RUN npm run build:api \
 && find dist -name '*.map' -delete \
 && test -f dist/api/main.mjs && test -f dist/api/migrate.mjs && test -f dist/api/wait-for-migrations.mjs

FROM build AS build-processor
RUN npm run build:processor \
 && find dist -name '*.map' -delete \
 && test -f dist/processor/main.mjs && test -f dist/processor/wait-for-migrations.mjs

FROM build AS build-web
# Dependencies traced into the standalone output can carry their own test sources (pino's
# thread-stream and sonic-boom do): the image ships none.
RUN npm run build:web \
 && mkdir -p public \
 && find .next/standalone .next/static -name '*.map' -delete \
 && find .next/standalone/node_modules -name '*.ts' ! -name '*.d.ts' -delete \
 && test -f .next/standalone/server.js

# ---------------------------------------------------------------------------------------------
# Common runtime: the bare base image, a fixed non-root user, labels. Application files are
# copied in root-owned, so the process cannot modify its own code.
FROM ${BASE_IMAGE} AS runtime
ARG VERSION=v1
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE_URL=
RUN groupadd --system --gid 10001 lavka \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin lavka
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    LAVKA_VERSION=${VERSION}
WORKDIR /app
LABEL org.opencontainers.image.vendor="Lavka" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.documentation="docs/deploy.md in the source repository" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}"

# ---------------------------------------------------------------------------------------------
FROM runtime AS api-service
LABEL org.opencontainers.image.title="api-service" \
      org.opencontainers.image.description="Lavka API service: tRPC API, /healthz /readyz /metrics; also runs the database migrations (dist/api/migrate.mjs)"
COPY --from=build-api /app/dist/api/ ./dist/api/
# Read by migrate.mjs (the db-migrate Job) and by wait-for-migrations.mjs (init container).
COPY --from=build /app/prisma/migrations/ ./prisma/migrations/
ENV HOST=0.0.0.0 \
    PORT=4000
EXPOSE 4000
USER 10001:10001
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/api/main.mjs"]

# ---------------------------------------------------------------------------------------------
FROM runtime AS data-processing-service
LABEL org.opencontainers.image.title="data-processing-service" \
      org.opencontainers.image.description="Lavka data-processing service: worker, cron and one-off jobs (main.mjs worker|cron|job NAME|--help)"
COPY --from=build-processor /app/dist/processor/ ./dist/processor/
COPY --from=build /app/prisma/migrations/ ./prisma/migrations/
EXPOSE 9464
USER 10001:10001
ENTRYPOINT ["node", "dist/processor/main.mjs"]
CMD ["worker"]

# ---------------------------------------------------------------------------------------------
FROM runtime AS web-interface
LABEL org.opencontainers.image.title="web-interface" \
      org.opencontainers.image.description="Lavka web interface: Next.js standalone server"
COPY --from=build-web /app/.next/standalone/ ./
COPY --from=build-web /app/.next/static/ ./.next/static/
COPY --from=build-web /app/public/ ./public/
# Next writes its cache here; the only path the user may write (an emptyDir in Kubernetes).
RUN mkdir -p .next/cache && chown 10001:10001 .next/cache
ENV HOSTNAME=0.0.0.0 \
    PORT=3000
# 9464: /metrics (WEB_METRICS_PORT), apart from the pages.
EXPOSE 3000 9464
USER 10001:10001
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/placeholder.svg').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "server.js"]

# ---------------------------------------------------------------------------------------------
# PgBouncer in transaction mode between the services and PostgreSQL (manifests/base/pgbouncer.yaml,
# docs/deploy.md "Database connections"). Debian's package on plain Debian: no Node, nothing of
# Lavka's. pgbouncer.ini and userlist.txt are mounted at /etc/pgbouncer from a ConfigMap and a
# Secret. SIGINT is PgBouncer's safe shutdown (finish running transactions, then exit); its SIGTERM
# (1.18) drops them, so the image asks the runtime to stop it with SIGINT.
FROM ${PGBOUNCER_BASE_IMAGE} AS pgbouncer
ARG VERSION=v1
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE_URL=
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends pgbouncer ca-certificates >/dev/null \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /etc/pgbouncer/* \
 && groupadd --system --gid 10001 lavka \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin lavka \
 && pgbouncer --version
LABEL org.opencontainers.image.vendor="Lavka" \
      org.opencontainers.image.title="pgbouncer" \
      org.opencontainers.image.description="PgBouncer (Debian package) for Lavka: transaction pooling in front of PostgreSQL; config mounted at /etc/pgbouncer" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.documentation="docs/deploy.md in the source repository" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}"
EXPOSE 6432
USER 10001:10001
STOPSIGNAL SIGINT
CMD ["pgbouncer", "/etc/pgbouncer/pgbouncer.ini"]
