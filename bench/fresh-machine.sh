#!/usr/bin/env bash
# bench/fresh-machine.sh [CLONE_SOURCE]
# What a new user's machine pays, measured beside whatever already runs here: a fresh clone in a new HOME and
# BLACKTREE_HOME (so empty Go module and build caches, an empty ~/.m2 with no Maven distribution, no binaries),
# every service on ports of its own, then
#   1. `time scripts/demo`                       (the first command of the README)
#   2. `time scripts/services start cluster`     (the production shape on one machine)
#   3. one job through the cluster: `blacktree setup`, `blacktree dev` against the cluster's Temporal and its
#      three RabbitMQ nodes, `time blacktree submit --wait`, then `temporal workflow list --query
#      "BlacktreeRepo='demo/hello'"` against the cluster's frontend.
# Shared with the machine: the Debian packages (already installed, so apt downloads nothing) and the Docker
# engine on /var/run/docker.sock (the base image it already has is rebuilt from it in seconds).
# Everything it started is stopped at the end; the temporary directory is printed and kept for the logs.
set -euo pipefail
src=${1:-$(cd "$(dirname "$0")/.." && pwd)}
root=$(mktemp -d /tmp/blacktree-fresh.XXXXXX)
chmod 755 "$root" # the cluster's PostgreSQL runs as the postgres user and needs to reach its data directory
export HOME=$root/home BLACKTREE_HOME=$root/blacktree
mkdir -p "$HOME"
# Java takes user.home from the password database, not $HOME: Maven is pointed at the new home explicitly.
export MAVEN_OPTS="-Dmaven.repo.local=$HOME/.m2/repository"
export BLACKTREE_REGISTRY_PORT=5110 BLACKTREE_REGISTRY_AUTH_PORT=5111 BLACKTREE_AMQP_PORT=5782
export BLACKTREE_TEMPORAL_PORT=7633 BLACKTREE_TEMPORAL_UI_PORT=8633 BLACKTREE_DEMO_GIT_PORT=9519
export BLACKTREE_CLUSTER_PG_PORT=5463 BLACKTREE_CLUSTER_TEMPORAL_PORT=7643 BLACKTREE_CLUSTER_TEMPORAL_UI_PORT=8643
export BLACKTREE_CLUSTER_AMQP_PORT=5793 BLACKTREE_CLUSTER_RABBIT_NODE=bt-fresh
TIMEFORMAT='%R s wall, %U s user, %S s sys'
stamp() { echo "== $* at $(date -u +%T), load $(cut -d' ' -f1-3 /proc/loadavg)"; }

cleanup() {
  set +e
  [ -s "$root/cluster-dev.pid" ] && kill "$(cat "$root/cluster-dev.pid")"
  [ -s "$BLACKTREE_HOME/run/dev.pid" ] && kill "$(cat "$BLACKTREE_HOME/run/dev.pid")"
  [ -s "$BLACKTREE_HOME/run/demo-git.pid" ] && kill "$(cat "$BLACKTREE_HOME/run/demo-git.pid")"
  (cd "$root/repo" && scripts/services stop cluster && scripts/services stop) >"$root/stop.log" 2>&1
  echo "kept: $root (logs under blacktree/logs, clone under repo)"
}
trap cleanup EXIT

stamp "fresh home $root, clone of $src"
git clone -q "$src" "$root/repo"
cd "$root/repo"

stamp "1. scripts/demo"
time scripts/demo >"$root/demo.out" 2>&1 || { tail -30 "$root/demo.out"; exit 1; }
tail -6 "$root/demo.out"

stamp "2. scripts/services start cluster"
time scripts/services start cluster >"$root/cluster.out" 2>&1 || { tail -30 "$root/cluster.out"; exit 1; }

stamp "3. one job through the cluster"
jar=$root/repo/cli/target/blacktree-cli-0.1.0-SNAPSHOT-all.jar
a=$BLACKTREE_CLUSTER_AMQP_PORT
export BLACKTREE_TEMPORAL=127.0.0.1:$BLACKTREE_CLUSTER_TEMPORAL_PORT
export BLACKTREE_AMQP=amqp://guest:guest@127.0.0.1:$a,amqp://guest:guest@127.0.0.1:$((a + 1)),amqp://guest:guest@127.0.0.1:$((a + 2))
java -jar "$jar" setup >"$root/cluster-setup.out" 2>&1
nohup java -jar "$jar" dev --registry none --registry-url "127.0.0.1:$BLACKTREE_REGISTRY_PORT" \
  --git-base-url "git://127.0.0.1:$BLACKTREE_DEMO_GIT_PORT/" --git-allowed-hosts 127.0.0.1 \
  >"$root/cluster-dev.log" 2>&1 </dev/null &
echo $! >"$root/cluster-dev.pid"
time java -jar "$jar" submit --wait --timeout PT5M --repo demo/hello --branch main --version v9.0.1 \
  --account 123456789012 --ecr-repo app-images | tee "$root/cluster-submit.out" | tail -8
"$BLACKTREE_HOME/go/bin/temporal" workflow list --address "$BLACKTREE_TEMPORAL" --query "BlacktreeRepo='demo/hello'"
stamp "done"
