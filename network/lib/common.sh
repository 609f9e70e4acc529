# shellcheck shell=bash
# Paths, logging and process supervision shared by the network scripts.
# Every long-running process is started detached, logs to $LOG_DIR/<name>.log
# and is remembered by PID in $PID_DIR/<name>.pid; nothing is ever stopped by
# name matching.

NET_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_DIR="$(cd "$NET_DIR/.." && pwd)"
RUN_DIR="${IDCHAIN_RUN_DIR:-$NET_DIR/.run}"
# A running network keeps the port offset it was started with.
if [[ -z "${IDCHAIN_PORT_OFFSET:-}" && -f "$RUN_DIR/port-offset" ]]; then
  IDCHAIN_PORT_OFFSET="$(cat "$RUN_DIR/port-offset")"
fi
# … and whether it is a multi-host rehearsal (lib/multihost.sh).
if [[ -z "${IDCHAIN_MULTIHOST:-}" && -f "$RUN_DIR/multihost" ]]; then
  IDCHAIN_MULTIHOST="$(cat "$RUN_DIR/multihost")"
fi
# shellcheck source=../topology.sh
source "$NET_DIR/topology.sh"
# Orgs and peers added to the running network (make add-org, make add-peer)
# extend the table; the file lives and dies with the network.
if [[ -f "$RUN_DIR/topology.added.sh" ]]; then
  # shellcheck disable=SC1091
  source "$RUN_DIR/topology.added.sh"
fi
# shellcheck source=../../scripts/lib/packages.sh
source "$REPO_DIR/scripts/lib/packages.sh"

BIN_DIR="$NET_DIR/bin"
LOG_DIR="$RUN_DIR/logs"
PID_DIR="$RUN_DIR/pids"
CFG_DIR="$RUN_DIR/config"
CRYPTO_DIR="$RUN_DIR/crypto"
DATA_DIR="$RUN_DIR/data"
CC_DIR="$RUN_DIR/chaincode"
CHANNEL_DIR="$RUN_DIR/channel"
READY_MARK="$RUN_DIR/ready"
HOSTS_DIR="$RUN_DIR/hosts"

# use_host NAME: from here on (call it in a subshell) the crypto, data,
# config, chaincode and channel directories are those of host NAME (a peer
# org, or "orderer" for the ordering org): what a script running on that
# org's own machine would see. A no-op in the single-address network.
use_host() {
  [[ "$MULTIHOST" == 1 ]] || return 0
  local home="$HOSTS_DIR/$1"
  CRYPTO_DIR="$home/crypto" DATA_DIR="$home/data" CFG_DIR="$home/config"
  CC_DIR="$home/chaincode" CHANNEL_DIR="$home/channel" HOST_HOME="$home"
}
HOST_HOME=""

# Multi-host as root: each host's processes run as its own system user
# idchain-<host> and its directory is 0700, so a process that tried to read
# another org's files would be refused (IDCHAIN_MULTIHOST_USERS=0: off).
MULTIHOST_USERS="${IDCHAIN_MULTIHOST_USERS:-$([[ "$(id -u)" == 0 ]] && echo 1 || echo 0)}"
host_user() { echo "idchain-$(basename "$HOST_HOME")"; }

# seal_host: the current host's user exists and owns its directory, mode
# 0700 (run before each of its processes starts: set-up steps run as root
# and leave root-owned files behind).
seal_host() {
  local u
  u="$(host_user)"
  # (another checkout's rehearsal may create the same user at the same time)
  id -u "$u" >/dev/null 2>&1 ||
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$u" ||
    id -u "$u" >/dev/null 2>&1 || die "useradd $u failed"
  chown -R "$u:$u" "$HOST_HOME"
  chmod 700 "$HOST_HOME"
  grant_traverse "$HOSTS_DIR" "$BIN_DIR" "$RUN_DIR/bin"
}

# grant_traverse DIR...: each DIR and every directory above it lets the hosts'
# users pass (o+x only: no listing). A checkout inside a directory made 0700
# (mktemp -d, a CI work dir) would otherwise refuse them their own directory
# and the binaries. What was changed is listed in $RUN_DIR/traverse-granted
# and taken back by revoke_traverse (make down).
grant_traverse() {
  local d perm
  for d in "$@"; do
    while [[ -n "$d" && "$d" != / ]]; do
      if [[ -d "$d" ]]; then
        perm="$(stat -c %a "$d")"
        if ((${perm: -1} % 2 == 0)); then
          chmod o+x "$d"
          echo "$d" >>"$RUN_DIR/traverse-granted"
          log "made $d passable for the hosts' users (o+x)"
        fi
      fi
      d="$(dirname "$d")"
    done
  done
}

# revoke_traverse: takes back what grant_traverse granted (directories
# outside RUN_DIR; those inside go with it).
revoke_traverse() {
  local d
  [[ -f "$RUN_DIR/traverse-granted" ]] || return 0
  while read -r d; do
    [[ "$d" == "$RUN_DIR"* || ! -d "$d" ]] || chmod o-x "$d"
  done <"$RUN_DIR/traverse-granted"
}
export PATH="$BIN_DIR:$PATH"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Prints the last lines of a process log, used whenever something fails.
show_log_tail() {
  local name="$1" file="$LOG_DIR/$1.log"
  if [[ "$RUNTIME" == docker ]] && [[ "$name" != *-cli* && "$name" != *.log ]]; then
    compose logs --tail 40 "$name" >&2 2>/dev/null || true
  fi
  [[ -f "$file" ]] || return 0
  printf '\n----- last 40 lines of %s -----\n' "$file" >&2
  tail -n 40 "$file" >&2
  printf -- '----- end of %s -----\n\n' "$name" >&2
}

pid_of() { cat "$PID_DIR/$1.pid" 2>/dev/null || true; }

# alive PID: the process exists and is not a zombie waiting to be reaped.
alive() {
  local state
  state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)"
  [[ -n "$state" && "$state" != Z ]]
}

# IDCHAIN_RUNTIME=docker runs every node as a service of
# docker-compose.fabric.yml (same addresses, host networking) instead of a
# local process; set-up steps still run here.
RUNTIME="${IDCHAIN_RUNTIME:-native}"
compose() {
  IDCHAIN_ROOT="$REPO_DIR" docker compose -f "$REPO_DIR/docker-compose.fabric.yml" "$@"
}

# A PID counts as ours only while it is alive and was started from the binary
# recorded next to it (guards against PID reuse after a crash).
is_running() {
  local name="$1" pid exe
  if [[ "$RUNTIME" == docker ]]; then
    [[ -n "$(compose ps -q --status running "$name" 2>/dev/null)" ]]
    return
  fi
  pid="$(pid_of "$name")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  exe="$(cat "$PID_DIR/$name.exe" 2>/dev/null || true)"
  [[ -z "$exe" ]] && return 0
  local actual
  actual="$(readlink "/proc/$pid/exe" 2>/dev/null || true)"
  [[ "${actual% (deleted)}" == "$(readlink -f "$exe")" ]]
}

# spawn NAME CMD ARGS... : start a detached process with the caller's
# exported environment; stdout and stderr go to the log (appended, so
# restarts keep history).
spawn() {
  local name="$1"; shift
  mkdir -p "$LOG_DIR" "$PID_DIR"
  if is_running "$name"; then
    log "$name already running (pid $(pid_of "$name"))"
    return 0
  fi
  local logf="$LOG_DIR/$name.log"
  if [[ -n "$HOST_HOME" ]]; then
    # multi-host: the log lives on the org's host; logs/<name>.log links to it
    mkdir -p "$HOST_HOME/logs"
    logf="$HOST_HOME/logs/$name.log"
    ln -sfn "$logf" "$LOG_DIR/$name.log"
  fi
  printf '\n===== %s start %s =====\n' "$(date -Is)" "$name" >>"$logf"
  if [[ "$RUNTIME" == docker ]]; then
    compose up -d --no-deps "$name" >>"$LOG_DIR/$name.log" 2>&1 || die "docker compose up $name failed"
    echo docker >"$PID_DIR/$name.pid"
    log "started $name (docker compose)"
    return 0
  fi
  if [[ -n "$HOST_HOME" ]]; then
    # multi-host: the process runs in its org's directory, as the org's own
    # Unix user when we are root (host_user), with HOME there and none of
    # the caller's IDCHAIN_* settings but its own
    local clean=(env) v as=()
    for v in $(compgen -e); do
      case "$v" in
        IDCHAIN_CCAAS_CLIENT_TLS_DIR | IDCHAIN_PPROF_ADDR) ;;
        IDCHAIN_*) clean+=(-u "$v") ;;
      esac
    done
    clean+=(HOME="$HOST_HOME" PWD="$HOST_HOME")
    if [[ "$MULTIHOST_USERS" == 1 ]]; then
      seal_host
      as=(setpriv --reuid="$(host_user)" --regid="$(host_user)" --clear-groups --)
    fi
    setsid "${clean[@]}" "${as[@]}" bash -c 'cd "$0" && unset OLDPWD && exec "$@"' "$HOST_HOME" "$@" </dev/null >>"$logf" 2>&1 &
  else
    setsid "$@" </dev/null >>"$logf" 2>&1 &
  fi
  echo $! >"$PID_DIR/$name.pid"
  command -v "$1" >"$PID_DIR/$name.exe"
  log "started $name (pid $!)"
}

# stop_process NAME [TIMEOUT]: SIGTERM, then SIGKILL after TIMEOUT seconds.
stop_process() {
  local name="$1" timeout="${2:-15}" pid i
  if [[ "$RUNTIME" == docker ]]; then
    compose stop -t "$timeout" "$name" >/dev/null 2>&1 || true
    rm -f "$PID_DIR/$name.pid"
    log "stopped $name (docker compose)"
    return 0
  fi
  pid="$(pid_of "$name")"
  if [[ -z "$pid" ]] || ! is_running "$name"; then
    rm -f "$PID_DIR/$name.pid"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then
    log "$name did not stop in ${timeout}s, killing"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  rm -f "$PID_DIR/$name.pid"
  log "stopped $name"
}

# started_alive NAME: the process just spawned still lives. Right after the
# fork its /proc exe is still setsid's, so is_running's binary check would
# call it dead; the PID alone is enough during start-up.
started_alive() {
  if [[ "$RUNTIME" == docker ]]; then
    is_running "$1"
    return
  fi
  alive "$(pid_of "$1")"
}

# wait_until NAME TIMEOUT CMD...: poll CMD until it succeeds; fail with the
# process log when TIMEOUT seconds pass or the process dies.
wait_until() {
  local name="$1" timeout="$2"; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if [[ -f "$PID_DIR/$name.pid" ]] && ! started_alive "$name"; then
      show_log_tail "$name"
      die "$name exited during start-up"
    fi
    if ((SECONDS >= deadline)); then
      show_log_tail "$name"
      die "$name not ready after ${timeout}s"
    fi
    sleep 0.3
  done
}

http_ok() { curl -fsS -o /dev/null --max-time 2 "$1"; }
tcp_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# retry N DELAY CMD...: run CMD up to N times, DELAY seconds apart.
retry() {
  local n="$1" delay="$2" i; shift 2
  for ((i = 1; i <= n; i++)); do
    "$@" && return 0
    ((i < n)) && sleep "$delay"
  done
  return 1
}

# Location of the pinned Fabric module (for sampleconfig/).
fabric_module_dir() {
  (cd "$NET_DIR/tools/fabric" && go list -m -f '{{.Dir}}' github.com/hyperledger/fabric)
}
