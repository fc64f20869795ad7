#!/usr/bin/env bash
# bench/fresh-go-builds.sh SERVICES_SCRIPT TOOL... (TOOL: buildkit temporal kustomize cosign)
# Each Go install scripts/services does, one after the other, from EMPTY Go caches (shared by the four, as on a
# fresh machine) under a temporary BLACKTREE_HOME; the real functions, sourced from scripts/services (main is
# not run, nothing is started). bash's `time` gives wall, user and sys CPU of each.
set -euo pipefail
src=${1:?scripts/services path}
shift
export BLACKTREE_HOME=$(mktemp -d /tmp/blacktree-fresh-go.XXXXXX)
export GOMODCACHE=$BLACKTREE_HOME/go/pkg/mod
mkdir -p "$BLACKTREE_HOME/logs" "$BLACKTREE_HOME/run"
echo "home $BLACKTREE_HOME nice $(nice) load-before $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%T)"
source <(sed -e '/^main "\$@"$/d' -e "s#\$(dirname \"\$0\")#$(dirname "$src")#" "$src")
TIMEFORMAT='%R s wall, %U s user, %S s sys'
for tool in "$@"; do
  echo "== $tool start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
  case $tool in
    buildkit) time ensure_buildkit_bin ;;
    temporal) time ensure_temporal_cli ;;
    kustomize) time ensure_kustomize ;;
    cosign) time ensure_cosign ;;
  esac
  echo "== $tool end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) modcache $(du -sh "$GOMODCACHE" | cut -f1) gocache $(du -sh "$BLACKTREE_HOME/go-cache" | cut -f1)"
done
