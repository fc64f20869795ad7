# The "cluster" profile of scripts/services (sourced by it; not run on its own): Blacktree's production
# shape on one machine.
#   postgres           PostgreSQL 15 (Debian's), own cluster on 127.0.0.1:5433, databases temporal and
#                      temporal_visibility created and migrated by temporal-sql-tool
#   temporal-history   \
#   temporal-matching   | Temporal server (pinned, built from the Go module proxy) as four processes,
#   temporal-frontend   | 16 history shards, advanced visibility on PostgreSQL; frontend on 127.0.0.1:7433
#   temporal-worker    /
#   temporal-ui        Temporal Web UI server (ui-server, assets embedded) on 127.0.0.1:8433
#   rabbitmq-1..3      three RabbitMQ nodes clustered on 127.0.0.1:5673-5675 (one Erlang cookie)
#
# Layout under $BLACKTREE_HOME/cluster: postgres/ (data, owned by the postgres user when run as root),
# postgres.password, temporal/config/<service>.yaml, temporal/dynamicconfig.yaml, ui/config/cluster.yaml,
# rabbitmq/ (mnesia, cookie). Binaries: temporal-cluster/bin-<version>/{server,sql},
# temporal-cluster/ui-bin-<version>/server. PID files and logs as for the other services.
#
# Overrides: BLACKTREE_CLUSTER_PG_PORT (5433)  BLACKTREE_CLUSTER_TEMPORAL_PORT (7433, the frontend; history,
# matching and worker use +1, +2, +6, membership -1000, metrics +2000)  BLACKTREE_CLUSTER_TEMPORAL_UI_PORT
# (8433)  BLACKTREE_CLUSTER_AMQP_PORT (5673, the first node; the others +1, +2)  BLACKTREE_CLUSTER_RABBIT_NODE
# (blacktree-cluster: the nodes are <this>-1..3@localhost). A second cluster beside this one (the cluster soak's)
# runs with its own BLACKTREE_HOME, these ports and node name, and BLACKTREE_BUILDKIT_SOCK naming the shared
# buildkitd.
# shellcheck shell=bash

CLUSTER_DIR=$BLACKTREE_HOME/cluster
CLUSTER_PG_PORT=${BLACKTREE_CLUSTER_PG_PORT:-5433}
CLUSTER_TEMPORAL_PORT=${BLACKTREE_CLUSTER_TEMPORAL_PORT:-7433}
CLUSTER_TEMPORAL_UI_PORT=${BLACKTREE_CLUSTER_TEMPORAL_UI_PORT:-8433}
CLUSTER_AMQP_PORT=${BLACKTREE_CLUSTER_AMQP_PORT:-5673}
CLUSTER_RABBIT_NODE=${BLACKTREE_CLUSTER_RABBIT_NODE:-blacktree-cluster}
# v1.30.4 is the newest server whose go directive the machine's Go satisfies without a toolchain download.
TEMPORAL_SERVER_VERSION=v1.30.4
# The Web UI server the Temporal CLI above embeds (its module ships the built UI assets).
TEMPORAL_UI_VERSION=v2.42.1
SERVER_BIN_DIR=$BLACKTREE_HOME/temporal-cluster/bin-$TEMPORAL_SERVER_VERSION
UI_BIN_DIR=$BLACKTREE_HOME/temporal-cluster/ui-bin-$TEMPORAL_UI_VERSION
# 16 shards: the unit of history parallelism, fixed for the life of the database (see README).
CLUSTER_HISTORY_SHARDS=16
CLUSTER_NAMESPACE=default
CLUSTER_APT_PACKAGES=(postgresql acl)
# Start order: the database, then the services frontend needs in its ring, then the rest.
CLUSTER_TEMPORAL_SERVICES=(history matching frontend worker)
CLUSTER_SERVICES=(postgres temporal-history temporal-matching temporal-frontend temporal-worker temporal-ui
  rabbitmq-1 rabbitmq-2 rabbitmq-3)

is_cluster_service() { [[ " ${CLUSTER_SERVICES[*]} " == *" $1 "* ]]; }

# gRPC port of a Temporal service (frontend = the base).
temporal_port() {
  case $1 in
    frontend) echo "$CLUSTER_TEMPORAL_PORT" ;;
    history) echo $((CLUSTER_TEMPORAL_PORT + 1)) ;;
    matching) echo $((CLUSTER_TEMPORAL_PORT + 2)) ;;
    worker) echo $((CLUSTER_TEMPORAL_PORT + 6)) ;;
  esac
}

rabbit_node_port() { echo $((CLUSTER_AMQP_PORT + ${1#rabbitmq-} - 1)); }
rabbit_node_name() { echo "$CLUSTER_RABBIT_NODE-${1#rabbitmq-}@localhost"; }

cluster_process_marker() {
  case $1 in
    postgres) echo "$CLUSTER_DIR/postgres" ;;
    temporal-ui) echo "$UI_BIN_DIR/server" ;;
    temporal-*) echo "start --service ${1#temporal-}" ;;
    rabbitmq-*) echo 'rabbit boot' ;;
  esac
}

cluster_healthy() {
  case $1 in
    postgres) pg_isready -q -h 127.0.0.1 -p "$CLUSTER_PG_PORT" -t 3 ;;
    temporal-frontend)
      tcp_open "$CLUSTER_TEMPORAL_PORT" || return 1
      "$TEMPORAL_BIN" operator cluster health --address "127.0.0.1:$CLUSTER_TEMPORAL_PORT" --command-timeout 5s \
        2>/dev/null | grep SERVING >/dev/null ;;
    temporal-ui) [ "$(http_code "http://127.0.0.1:$CLUSTER_TEMPORAL_UI_PORT/")" = 200 ] ;;
    # The worker service serves no gRPC: its membership port is what answers.
    temporal-worker) tcp_open $(($(temporal_port worker) - 1000)) ;;
    temporal-*) tcp_open "$(temporal_port "${1#temporal-}")" ;;
    rabbitmq-*) tcp_open "$(rabbit_node_port "$1")" ;;
  esac
}

# ---------------------------------------------------------------- installation

ensure_cluster_packages() {
  local missing=() pkg
  for pkg in "${CLUSTER_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep 'install ok installed' >/dev/null || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing packages ${missing[*]}; run as root or: sudo apt-get install -y ${missing[*]}"
  log "installing ${missing[*]} with apt (log: $LOG_DIR/apt.log)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >>"$LOG_DIR/apt.log" 2>&1 \
    || die "apt-get install ${missing[*]} failed (log: $LOG_DIR/apt.log)"
}

# go install PACKAGES@VERSION into GOBIN $1, with the module and build caches under $BLACKTREE_HOME.
go_install_into() {
  local bin=$1 go started
  shift
  go=$(find_go) || die "cluster: building $* needs Go >= 1.25 (go install); no 'go' on PATH or in /usr/local/go/bin"
  log "cluster: building $* with go install (minutes the first time; log: $LOG_DIR/go-install.log)"
  started=$SECONDS
  GOPATH=$BLACKTREE_HOME/go GOCACHE=$BLACKTREE_HOME/go-cache GOFLAGS=-modcacherw GOBIN=$bin \
    "$go" install "$@" >>"$LOG_DIR/go-install.log" 2>&1 \
    || die "cluster: 'go install $*' failed (log: $LOG_DIR/go-install.log)"
  log "cluster: built in $((SECONDS - started))s"
}

ensure_cluster_binaries() {
  [ -x "$SERVER_BIN_DIR/server" ] && [ -x "$SERVER_BIN_DIR/sql" ] \
    || go_install_into "$SERVER_BIN_DIR" "go.temporal.io/server/cmd/server@$TEMPORAL_SERVER_VERSION" \
      "go.temporal.io/server/cmd/tools/sql@$TEMPORAL_SERVER_VERSION"
  [ -x "$UI_BIN_DIR/server" ] \
    || go_install_into "$UI_BIN_DIR" "github.com/temporalio/ui-server/v2/cmd/server@$TEMPORAL_UI_VERSION"
}

# The server module's source (schema files), in the module cache the build filled.
server_module_dir() {
  local dir=$BLACKTREE_HOME/go/pkg/mod/go.temporal.io/server@$TEMPORAL_SERVER_VERSION
  [ -d "$dir/schema/postgresql/v12" ] || die "cluster: $dir/schema/postgresql/v12 missing (module cache cleared?)"
  echo "$dir"
}

# ---------------------------------------------------------------- PostgreSQL

# PostgreSQL refuses to run as root: then it runs as the postgres user, who needs to traverse the path.
pg_as() {
  if [ "$(id -u)" = 0 ]; then setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; else "$@"; fi
}

pg_password() { cat "$CLUSTER_DIR/postgres.password"; }

init_postgres() {
  local data=$CLUSTER_DIR/postgres bin=/usr/lib/postgresql/15/bin dir part pwfile
  [ -x "$bin/initdb" ] || die "postgres: $bin/initdb missing (apt-get install postgresql-15)"
  [ -s "$data/PG_VERSION" ] && return 0
  mkdir -p "$data"
  if [ ! -s "$CLUSTER_DIR/postgres.password" ]; then
    (umask 077 && openssl rand -hex 24 >"$CLUSTER_DIR/postgres.password")
  fi
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$data"
    # Let the postgres user traverse (not list) the directories above its data directory, top down.
    dir=
    for part in $(tr '/' ' ' <<<"$CLUSTER_DIR"); do
      dir=$dir/$part
      setpriv --reuid=postgres --regid=postgres --init-groups -- test -x "$dir" 2>/dev/null \
        || setfacl -m u:postgres:x "$dir" || die "postgres: cannot give the postgres user access to $dir"
    done
  fi
  chmod 700 "$data"
  pwfile=$CLUSTER_DIR/.postgres-pwfile
  (umask 077 && pg_password >"$pwfile")
  [ "$(id -u)" = 0 ] && chown postgres "$pwfile"
  log "postgres: initdb $data"
  pg_as "$bin/initdb" -D "$data" -U temporal --pwfile="$pwfile" --auth-host=scram-sha-256 --auth-local=peer \
    -E UTF8 --no-instructions >>"$(log_file postgres)" 2>&1 || die "postgres: initdb failed (log: $(log_file postgres))"
  rm -f "$pwfile"
}

start_postgres() {
  init_postgres
  local log
  log=$(log_file postgres)
  touch "$log"
  [ "$(id -u)" = 0 ] && chown postgres "$log"
  local as=()
  [ "$(id -u)" = 0 ] && as=(setpriv --reuid=postgres --regid=postgres --init-groups --)
  launch postgres "${as[@]}" /usr/lib/postgresql/15/bin/postgres -D "$CLUSTER_DIR/postgres" \
    -p "$CLUSTER_PG_PORT" -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c max_connections=200
  await_ready postgres 60
}

# temporal-sql-tool against one database; the password travels in the environment, not the arguments.
sql_tool() {
  local db=$1
  shift
  SQL_PASSWORD=$(pg_password) "$SERVER_BIN_DIR/sql" --plugin postgres12 --ep 127.0.0.1 -p "$CLUSTER_PG_PORT" \
    -u temporal --db "$db" "$@" >>"$LOG_DIR/temporal-schema.log" 2>&1
}

# Creates (if missing) and migrates both databases to the schema the server binary expects.
migrate_temporal_schema() {
  local module db dir
  module=$(server_module_dir)
  for db in temporal temporal_visibility; do
    if [ $db = temporal ]; then dir=temporal; else dir=visibility; fi
    if ! PGPASSWORD=$(pg_password) psql -h 127.0.0.1 -p "$CLUSTER_PG_PORT" -U temporal -d "$db" -tAc \
      'select 1 from schema_version limit 1' >/dev/null 2>&1; then
      sql_tool "$db" create-database >/dev/null 2>&1 || true
      sql_tool "$db" setup-schema -v 0.0 || die "postgres: setup-schema of $db failed (log: $LOG_DIR/temporal-schema.log)"
      log "postgres: created database $db"
    fi
    sql_tool "$db" update-schema -d "$module/schema/postgresql/v12/$dir/versioned" \
      || die "postgres: update-schema of $db failed (log: $LOG_DIR/temporal-schema.log)"
  done
}

# ---------------------------------------------------------------- Temporal server

write_temporal_config() {
  local svc=$1 dir=$CLUSTER_DIR/temporal port
  mkdir -p "$dir/config"
  port=$(temporal_port "$svc")
  cp "$(server_module_dir)/config/dynamicconfig/development-sql.yaml" "$dir/dynamicconfig.yaml.tmp"
  chmod u+w "$dir/dynamicconfig.yaml.tmp"
  # As for the dev server: eager activities, SAs usable right after they are registered, and a transfer-queue
  # reader not held to its default 20 reads/s per shard (a job makes about six transfer tasks on its shard within
  # a quarter of a second, so that limit delays hand-offs; see BENCHMARKS.md, "Temporal dev server tuning").
  # One partition per task queue: Blacktree's queues carry tens of tasks a second, far below one partition's
  # limit, and with the default four a task written to a partition no poller waits on is forwarded to the root
  # partition first (its hand-off took 13-21 ms instead of 5-7). Visibility at 200 list calls/s per namespace
  # instead of 10: the cache-affinity lookup lists this repository's last completed job (docs/workflow.md).
  cat >>"$dir/dynamicconfig.yaml.tmp" <<EOF
system.enableActivityEagerExecution:
  - value: true
history.transferProcessorMaxPollRPS:
  - value: 1000
system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
matching.numTaskqueueReadPartitions:
  - value: 1
matching.numTaskqueueWritePartitions:
  - value: 1
frontend.namespaceRPS.visibility:
  - value: 200
frontend.namespaceBurstRatio.visibility:
  - value: 2
EOF
  mv "$dir/dynamicconfig.yaml.tmp" "$dir/dynamicconfig.yaml"
  (umask 077 && cat >"$dir/config/$svc.yaml" <<EOF
# Generated by scripts/services from go.temporal.io/server@$TEMPORAL_SERVER_VERSION config/development-postgres12.yaml:
# own ports, $CLUSTER_HISTORY_SHARDS history shards, one metrics port per process. Rewritten on every start.
log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: $CLUSTER_HISTORY_SHARDS
  datastores:
    postgres-default:
      sql:
        pluginName: postgres12
        databaseName: temporal
        connectAddr: "127.0.0.1:$CLUSTER_PG_PORT"
        connectProtocol: tcp
        user: temporal
        password: "$(pg_password)"
        maxConns: 20
        maxIdleConns: 20
        maxConnLifetime: 1h
    postgres-visibility:
      sql:
        pluginName: postgres12
        databaseName: temporal_visibility
        connectAddr: "127.0.0.1:$CLUSTER_PG_PORT"
        connectProtocol: tcp
        user: temporal
        password: "$(pg_password)"
        maxConns: 10
        maxIdleConns: 10
        maxConnLifetime: 1h
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
  metrics:
    prometheus:
      framework: tally
      timerType: histogram
      listenAddress: "127.0.0.1:$((port + 2000))"
services:
$(for s in "${CLUSTER_TEMPORAL_SERVICES[@]}"; do
    p=$(temporal_port "$s")
    echo "  $s:"
    echo "    rpc:"
    echo "      grpcPort: $p"
    echo "      membershipPort: $((p - 1000))"
    echo "      bindOnLocalHost: true"
    [ "$s" = frontend ] && echo "      httpPort: $((p + 10))"
  done)
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "127.0.0.1:$CLUSTER_TEMPORAL_PORT"
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: $dir/dynamicconfig.yaml
  pollInterval: 10s
EOF
  )
}

start_temporal_service() {
  local svc=${1#temporal-}
  write_temporal_config "$svc"
  launch "$1" "$SERVER_BIN_DIR/server" --root "$CLUSTER_DIR/temporal" --config config --env "$svc" \
    --allow-no-auth start --service "$svc"
}

start_temporal_ui() {
  local dir=$CLUSTER_DIR/ui
  mkdir -p "$dir/config"
  cat >"$dir/config/cluster.yaml" <<EOF
temporalGrpcAddress: 127.0.0.1:$CLUSTER_TEMPORAL_PORT
host: 127.0.0.1
port: $CLUSTER_TEMPORAL_UI_PORT
enableUi: true
defaultNamespace: $CLUSTER_NAMESPACE
notifyOnNewVersion: false
cors:
  cookieInsecure: true
EOF
  launch temporal-ui "$UI_BIN_DIR/server" --root "$dir" --config config --env cluster start
  await_ready temporal-ui 60
}

# The namespace Blacktree uses and its search attributes (SQL visibility keeps them per namespace).
ensure_cluster_namespace() {
  local addr=127.0.0.1:$CLUSTER_TEMPORAL_PORT out waited=0
  until out=$("$TEMPORAL_BIN" operator namespace describe --address "$addr" --namespace "$CLUSTER_NAMESPACE" \
    --command-timeout 10s 2>&1); do
    if ! out=$("$TEMPORAL_BIN" operator namespace create --address "$addr" --namespace "$CLUSTER_NAMESPACE" \
      --retention 72h --command-timeout 10s 2>&1) && ! grep -qi 'already' <<<"$out"; then
      [ "$waited" -ge 60 ] && die "temporal-frontend: cannot create namespace $CLUSTER_NAMESPACE: $out"
    fi
    sleep 2
    waited=$((waited + 2))
  done
  ensure_search_attributes "$addr" "$CLUSTER_NAMESPACE"
}

# ---------------------------------------------------------------- RabbitMQ cluster

cluster_rabbit_env() {
  local node=$1
  export RABBITMQ_NODENAME=$(rabbit_node_name "$node")
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT=$(rabbit_node_port "$node")
  export RABBITMQ_DIST_PORT=$((RABBITMQ_NODE_PORT + 20000))
  export RABBITMQ_MNESIA_BASE=$CLUSTER_DIR/rabbitmq/mnesia
  export RABBITMQ_LOG_BASE=$LOG_DIR/$node
  export RABBITMQ_LOGS=$LOG_DIR/$node.log
  export RABBITMQ_PID_FILE=$(pid_file "$node")
  # One Erlang cookie for the three nodes (HOME/.erlang.cookie), apart from the default node's.
  export HOME=$CLUSTER_DIR/rabbitmq
}

cluster_rabbitmqctl() {
  local node=$1
  shift
  (cluster_rabbit_env "$node" && /usr/lib/rabbitmq/bin/rabbitmqctl -n "$RABBITMQ_NODENAME" "$@")
}

start_rabbit_node() {
  local node=$1
  mkdir -p "$CLUSTER_DIR/rabbitmq" "$LOG_DIR/$node"
  if [ ! -s "$CLUSTER_DIR/rabbitmq/.erlang.cookie" ]; then
    (umask 077 && openssl rand -hex 20 | tr -d '\n' >"$CLUSTER_DIR/rabbitmq/.erlang.cookie")
    chmod 400 "$CLUSTER_DIR/rabbitmq/.erlang.cookie"
  fi
  rm -f "$(pid_file "$node")"
  (cluster_rabbit_env "$node" && cd "$HOME" && /usr/lib/rabbitmq/bin/rabbitmq-server -detached) \
    >>"$LOG_DIR/$node-start.log" 2>&1 </dev/null \
    || die "$node: rabbitmq-server -detached failed (log: $LOG_DIR/$node-start.log)"
}

# Joins nodes 2 and 3 to node 1 unless they already are in its cluster (the membership survives restarts).
ensure_rabbit_cluster() {
  local first node running
  first=$(rabbit_node_name rabbitmq-1)
  for node in rabbitmq-2 rabbitmq-3; do
    running=$(cluster_rabbitmqctl rabbitmq-1 cluster_status --formatter json 2>/dev/null || true)
    grep -q "\"$(rabbit_node_name "$node")\"" <<<"$running" && continue
    log "$node: joining the cluster of $first"
    { cluster_rabbitmqctl "$node" stop_app && cluster_rabbitmqctl "$node" join_cluster "$first" \
      && cluster_rabbitmqctl "$node" start_app; } >>"$LOG_DIR/$node-start.log" 2>&1 \
      || die "$node: joining $first failed (log: $LOG_DIR/$node-start.log)"
  done
}

# ---------------------------------------------------------------- the profile

# Starts whichever cluster services are not answering, in dependency order, then checks the whole.
start_cluster() {
  local wanted=("$@") name rabbits=()
  want() { [[ " ${wanted[*]} " == *" $1 "* ]]; }
  ensure_cluster_packages
  if [[ " ${wanted[*]} " == *" temporal-"* ]]; then
    ensure_temporal_cli
    ensure_cluster_binaries
  fi
  mkdir -p "$CLUSTER_DIR"
  if want postgres && ! healthy postgres; then
    log "postgres: not answering, starting it"
    start_postgres
  fi
  if want temporal-frontend || want temporal-history; then
    migrate_temporal_schema
  fi
  for name in "${CLUSTER_TEMPORAL_SERVICES[@]/#/temporal-}"; do
    want "$name" || continue
    if ! healthy "$name" && ! owned_pid "$name" >/dev/null; then
      log "$name: not answering, starting it"
      start_temporal_service "$name"
    fi
  done
  for name in "${CLUSTER_TEMPORAL_SERVICES[@]/#/temporal-}"; do
    want "$name" && await_ready "$name" 120
  done
  want temporal-frontend && ensure_cluster_namespace
  if want temporal-ui && ! healthy temporal-ui; then
    log "temporal-ui: not answering, starting it"
    start_temporal_ui
  fi
  for name in rabbitmq-1 rabbitmq-2 rabbitmq-3; do
    want "$name" || continue
    healthy "$name" && continue
    log "$name: not answering, starting it"
    start_rabbit_node "$name"
    rabbits+=("$name")
  done
  # All nodes start before any is awaited: a clustered node waits for its peers when it boots.
  for name in "${rabbits[@]}"; do await_ready "$name" 180; done
  if want rabbitmq-1 && want rabbitmq-2 && want rabbitmq-3; then
    ensure_rabbit_cluster
  fi
}
