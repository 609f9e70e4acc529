# shellcheck shell=bash
# Progress of the long first build (make up on a fresh machine): instead of
# minutes of "go: downloading" lines, one line every few seconds with a count,
# the elapsed time and an estimate of what is left. Go's full output goes to
# network/.cache/build-tools.log and its tail is shown when a step fails.

TOOLS_LOG="$NET_DIR/.cache/build-tools.log"

# progress LABEL TOTAL PATTERN reads a command's output on stdin, appends it
# to TOOLS_LOG, counts the lines matching PATTERN (an extended regex) and
# prints "LABEL: n of ~TOTAL (p%), elapsed, about t left". Lines starting with
# "[" (the build script's own log) are passed through.
progress() {
  local label=$1 total=$2 pattern=$3 n=0 start=$SECONDS shown=$SECONDS line="" part="" every=10 rc
  [[ -t 2 ]] && every=2
  while :; do
    # A 1 s timeout keeps the line coming while Go is quiet; a line cut by
    # the timeout is kept and completed by the next read.
    if IFS= read -r -t 1 part; then
      line+=$part
      printf '%s\n' "$line" >>"$TOOLS_LOG"
      if [[ $line == \[* ]]; then
        printf '%s\n' "$line" >&2
      elif [[ $line =~ $pattern ]]; then
        n=$((n + 1))
      fi
      line=""
    else
      rc=$?
      line+=$part
      ((rc > 128)) || break
    fi
    if ((SECONDS - shown >= every)); then
      shown=$SECONDS
      progress_line "$label" "$n" "$total" "$((SECONDS - start))"
    fi
  done
  [[ -z $line ]] || printf '%s\n' "$line" >>"$TOOLS_LOG"
  progress_line "$label" "$n" "$total" "$((SECONDS - start))" done
}

# progress_line LABEL N TOTAL ELAPSED [done]
progress_line() {
  local label=$1 n=$2 total=$3 elapsed=$4 pct left=""
  if [[ ${5:-} == done ]]; then
    log "$label: $n done in $(fmt_secs "$elapsed")"
    return
  fi
  ((total > 0)) || total=1
  pct=$((n * 100 / total))
  ((pct > 99)) && pct=99
  if ((n > 0 && n < total)); then
    left=", about $(fmt_secs $((elapsed * (total - n) / n))) left"
  fi
  log "$label: $n of ~$total ($pct%), $(fmt_secs "$elapsed")$left"
}

fmt_secs() { if (($1 >= 60)); then printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); else printf '%ds' "$1"; fi; }

# tool_packages VAR IMPORT_BASE: the import paths of the commands that
# build-tools.sh lists in its array VAR (FABRIC_CMDS or CA_CMDS).
tool_packages() {
  local cmds
  cmds=$(sed -n "s/^$1=(\(.*\))\$/\1/p" "$NET_DIR/build-tools.sh")
  for c in $cmds; do printf '%s/%s\n' "$2" "$c"; done
}

# build_tools runs build-tools.sh. The first time (no stamp yet) it first
# downloads the modules the build needs and counts what is left to compile,
# then shows both steps as progress lines with an estimate.
build_tools() {
  mkdir -p "$NET_DIR/.cache"
  : >"$TOOLS_LOG"
  if [[ -f "$NET_DIR/bin/.stamp" ]]; then
    "$NET_DIR/build-tools.sh"
    return
  fi
  log "first build of the pinned Fabric and Fabric CA tools: about 6 min on 2 cores" \
    "(downloads ~185 Go modules, compiles ~1,300 packages; later runs reuse them). Go's output: $TOOLS_LOG"
  local modules stale_list
  modules=$(cat "$NET_DIR"/tools/fabric/go.sum "$NET_DIR"/tools/fabric-ca/go.sum |
    awk '$2 !~ /\/go\.mod$/ {print $1, $2}' | sort -u | wc -l)
  stale_list=$(mktemp)
  {
    # shellcheck disable=SC2046
    (cd "$NET_DIR/tools/fabric" && go list -trimpath -deps -f '{{if .Stale}}{{.ImportPath}}{{end}}' \
      $(tool_packages FABRIC_CMDS github.com/hyperledger/fabric/cmd)) &&
      # shellcheck disable=SC2046
      (cd "$NET_DIR/tools/fabric-ca" && CGO_ENABLED=1 go list -trimpath -deps -f '{{if .Stale}}{{.ImportPath}}{{end}}' \
        $(tool_packages CA_CMDS github.com/hyperledger/fabric-ca/cmd))
  } 2>&1 >"$stale_list" | progress "downloading Go modules" "$modules" '^go: downloading ' ||
    { tail -n 30 "$TOOLS_LOG" >&2; rm -f "$stale_list"; die "downloading the Fabric tools' modules failed"; }
  local packages
  packages=$(grep -c . "$stale_list" || true)
  rm -f "$stale_list"
  GOFLAGS="${GOFLAGS:+$GOFLAGS }-v" "$NET_DIR/build-tools.sh" 2>&1 |
    progress "compiling Go packages" "$packages" '^[A-Za-z0-9._~/+-]+$' ||
    { tail -n 30 "$TOOLS_LOG" >&2; die "building the Fabric tools failed"; }
}
