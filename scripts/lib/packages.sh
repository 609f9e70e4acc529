# shellcheck shell=bash
# ensure_commands WHAT CMD:PACKAGE... installs the Debian packages of the
# commands that are missing, saying what it installs and why. As root it runs
# apt-get; otherwise sudo -n apt-get when sudo needs no password; else it
# fails with the command to run. Used by make up (redis-server), make test
# (chromium, zbar-tools) and CI.
ensure_commands() {
  local what=$1 pair missing=()
  shift
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
  done
  ((${#missing[@]} == 0)) && return 0
  local sudo=()
  if [[ "$(id -u)" != 0 ]]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      printf '[setup] %s need %s; install them with: sudo apt-get install -y %s\n' \
        "$what" "${missing[*]}" "${missing[*]}" >&2
      return 1
    fi
  fi
  if ! command -v apt-get >/dev/null; then
    printf '[setup] %s need %s (not a Debian system: install them yourself)\n' "$what" "${missing[*]}" >&2
    return 1
  fi
  local start=$SECONDS out
  out=$(mktemp)
  printf '[setup] installing %s for %s (apt-get, once; chromium takes 1-3 min, the others seconds)\n' \
    "${missing[*]}" "$what" >&2
  if ! DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$out" 2>&1; then
    # A fresh machine has no package lists yet.
    if ! { "${sudo[@]}" apt-get update -qq >"$out" 2>&1 &&
      DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$out" 2>&1; }; then
      tail -n 20 "$out" >&2
      rm -f "$out"
      printf '[setup] apt-get install %s failed\n' "${missing[*]}" >&2
      return 1
    fi
  fi
  rm -f "$out"
  printf '[setup] installed %s in %ds\n' "${missing[*]}" "$((SECONDS - start))" >&2
}
