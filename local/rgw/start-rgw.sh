#!/usr/bin/env bash
# A throwaway single-node Ceph cluster with the RADOS Gateway on loopback, for tests that need real
# S3 semantics (SigV4 signatures, conditional writes, multipart) rather than s3rver's.
#
#   local/rgw/start-rgw.sh [start]   install radosgw if missing, start mon + memstore OSD + radosgw,
#                                    create the test user and bucket, print S3_* lines (idempotent:
#                                    a running cluster is reused)
#   local/rgw/start-rgw.sh stop      stop the daemons and remove the directory
#   local/rgw/start-rgw.sh env       print the S3_* lines of the running cluster
#
# Everything lives under $RGW_DIR (default /tmp/slatecast-rgw); the OSD keeps objects in memory
# (memstore), so nothing survives a stop. The S3_* lines are also written to $RGW_DIR/env, in a
# form `source` and `set -a` accept. Settings (env): RGW_DIR, RGW_PORT (default 17480),
# RGW_MON_PORT (default 16789), RGW_START_TIMEOUT_S (default 120), RGW_EXTRA_CONF (lines added to
# radosgw's section of ceph.conf, e.g. "debug rgw = 20"). Debian 12 (Ceph 16.2); root
# for the install only.
set -euo pipefail

DIR=${RGW_DIR:-/tmp/slatecast-rgw}
PORT=${RGW_PORT:-17480}
MON_PORT=${RGW_MON_PORT:-16789}
TIMEOUT=${RGW_START_TIMEOUT_S:-120}
ACCESS_KEY=SLATECASTRGWTESTKEY0
SECRET_KEY=slatecast-rgw-test-secret-0123456789abcdef
BUCKET=slatecast
REGION=us-east-1
ENDPOINT="http://127.0.0.1:${PORT}"
CONF="$DIR/ceph.conf"
DAEMONS=(mon osd rgw)

log() { echo "[rgw] ${SECONDS}s $*" >&2; }
die() {
  echo "[rgw] ERROR: $*" >&2
  local f
  for f in "$DIR"/mon.log "$DIR"/osd.log "$DIR"/rgw.log "$DIR"/*.daemon.log; do
    if [[ -s "$f" ]]; then
      echo "[rgw] --- last lines of $f" >&2
      grep -v '^[[:space:]]*$' "$f" | tail -n 10 >&2
    fi
  done
  kill_daemons
  echo "[rgw] daemons stopped; logs kept in $DIR" >&2
  exit 1
}

alive() { [[ -s "$DIR/$1.pid" ]] && kill -0 "$(cat "$DIR/$1.pid")" 2>/dev/null; }

print_env() {
  cat <<ENV
S3_ENDPOINT=$ENDPOINT
S3_REGION=$REGION
S3_ACCESS_KEY_ID=$ACCESS_KEY
S3_SECRET_ACCESS_KEY=$SECRET_KEY
S3_BUCKET=$BUCKET
ENV
}

kill_daemons() {
  local d pids=()
  for d in rgw osd mon; do alive "$d" && pids+=("$(cat "$DIR/$d.pid")"); done
  ((${#pids[@]})) || return 0
  # Nothing to keep (the OSD is in memory): a short grace, then SIGKILL.
  kill "${pids[@]}" 2>/dev/null || true
  wait_gone 30 "${pids[@]}"
  kill -9 "${pids[@]}" 2>/dev/null || true
  wait_gone 20 "${pids[@]}"
}

# wait_gone TRIES PID…: polls every 0.1 s until none of the processes is alive, at most TRIES times.
wait_gone() {
  local tries=$1 p left
  shift
  for _ in $(seq "$tries"); do
    left=0
    for p in "$@"; do kill -0 "$p" 2>/dev/null && left=1; done
    ((left)) || return 0
    sleep 0.1
  done
}

stop() {
  kill_daemons
  # Only ever remove our own directory (it holds our ceph.conf).
  if [[ -f "$CONF" ]] && grep -q '^# slatecast-rgw' "$CONF"; then rm -rf "$DIR"; fi
}

install_if_missing() {
  local missing=()
  for b in radosgw:radosgw ceph-mon:ceph-mon ceph-osd:ceph-osd ceph:ceph-common curl:curl; do
    command -v "${b%%:*}" >/dev/null 2>&1 || missing+=("${b#*:}")
  done
  ((${#missing[@]} == 0)) && return
  log "installing ${missing[*]} (apt)"
  [[ $(id -u) == 0 ]] || die "radosgw is not installed and installing needs root: apt-get install radosgw ceph-mon ceph-osd ceph-common curl"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends radosgw ceph-mon ceph-osd ceph-common curl >&2
}

# Polls `$@` until it succeeds or the start deadline passes.
wait_for() {
  local what=$1
  shift
  while ! "$@" >/dev/null 2>&1; do
    ((SECONDS < DEADLINE)) || die "timed out after ${TIMEOUT}s waiting for $what"
    for d in "${DAEMONS[@]}"; do
      if [[ -s "$DIR/$d.pid" ]] && ! alive "$d"; then die "$d exited while waiting for $what"; fi
    done
    sleep 0.3
  done
}

ceph_() { timeout 20 ceph -c "$CONF" --connect-timeout 10 "$@"; }

s3_ok() { curl -fsS -o /dev/null --max-time 5 "$ENDPOINT/"; }

start() {
  if alive mon && alive osd && alive rgw && [[ -s "$DIR/env" ]] && s3_ok; then
    log "already running at $ENDPOINT"
    print_env
    return
  fi
  stop
  install_if_missing
  DEADLINE=$((SECONDS + TIMEOUT))
  local t0=$SECONDS
  mkdir -p "$DIR/mon" "$DIR/osd0" "$DIR/rgw" "$DIR/run"
  local fsid osd_uuid
  fsid=$(cat /proc/sys/kernel/random/uuid)
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  cat >"$CONF" <<CONF
# slatecast-rgw: throwaway test cluster, created by local/rgw/start-rgw.sh
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$MON_PORT]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
ms bind ipv4 = true
auth cluster required = none
auth service required = none
auth client required = none
# With auth none only crc mode is possible; daemons default to "secure" towards the mon.
ms mon client mode = crc
ms mon service mode = crc
ms mon cluster mode = crc
ms client mode = crc
ms service mode = crc
ms cluster mode = crc
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
log file = $DIR/\$name.daemon.log
crash dir = $DIR/crash
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
osd crush chooseleaf type = 0

[mon]
mon data = $DIR/mon
mon initial members = a
mon cluster log file = $DIR/mon.cluster.log

[osd]
osd data = $DIR/osd0
osd objectstore = memstore
memstore device bytes = 2147483648
osd max object name len = 460
osd max object namespace len = 64
osd op num shards = 1
osd op num threads per shard = 2

[client.rgw.a]
rgw data = $DIR/rgw
rgw frontends = beast endpoint=127.0.0.1:$PORT tcp_nodelay=1
rgw thread pool size = 64
rgw dns name = 127.0.0.1
rgw enable usage log = false
rgw enable ops log = false
${RGW_EXTRA_CONF:-}
CONF

  log "mon"
  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$MON_PORT]" "$DIR/monmap" >/dev/null
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap" >"$DIR/mon.log" 2>&1 || die "ceph-mon --mkfs failed"
  setsid ceph-mon -c "$CONF" -i a -f >>"$DIR/mon.log" 2>&1 &
  echo $! >"$DIR/mon.pid"
  wait_for "the monitor" ceph_ mon stat

  log "osd (memstore)"
  local id
  id=$(ceph_ osd new "$osd_uuid") || die "ceph osd new failed"
  [[ $id == 0 ]] || die "expected osd id 0, got $id"
  ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$osd_uuid" >"$DIR/osd.log" 2>&1 || die "ceph-osd --mkfs failed"
  setsid ceph-osd -c "$CONF" -i 0 -f >>"$DIR/osd.log" 2>&1 &
  echo $! >"$DIR/osd.pid"
  wait_for "the OSD to come up" bash -c "ceph -c '$CONF' --connect-timeout 5 osd dump 2>/dev/null | grep -q '^osd.0 up'"

  log "radosgw"
  setsid radosgw -c "$CONF" -n client.rgw.a -f >"$DIR/rgw.log" 2>&1 &
  echo $! >"$DIR/rgw.pid"
  wait_for "radosgw to answer on $ENDPOINT" s3_ok

  log "user and bucket"
  radosgw-admin -c "$CONF" user create --uid=slatecast --display-name="slatecast tests" \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >"$DIR/user.json" 2>>"$DIR/rgw.log" || die "radosgw-admin user create failed"
  local code
  code=$(curl -sS -o "$DIR/bucket.out" -w '%{http_code}' --max-time 30 -X PUT \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
    --aws-sigv4 "aws:amz:$REGION:s3" --user "$ACCESS_KEY:$SECRET_KEY" "$ENDPOINT/$BUCKET") || die "creating the bucket failed"
  [[ $code == 200 ]] || die "creating the bucket answered HTTP $code: $(cat "$DIR/bucket.out")"

  print_env >"$DIR/env"
  log "ready at $ENDPOINT in $((SECONDS - t0))s (dir $DIR)"
  print_env
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  env) alive rgw || die "not running"; print_env ;;
  *) echo "usage: $0 [start|stop|env]" >&2; exit 2 ;;
esac
