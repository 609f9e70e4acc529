#!/usr/bin/env bash
# fresh-check.sh — the release check: a fresh clone must come up with the
# README's two commands exactly as written there.
#
#   scripts/fresh-check.sh [--dry-run] [--keep] [REPO]
#
# 1. clones REPO (default: this checkout; its committed HEAD, not the working
#    tree) into a new temporary folder;
# 2. takes the commands from README.md between the markers
#        <!-- fresh-check:begin -->  and  <!-- fresh-check:end -->
#    (lines of the fenced block in between, `$ ` prompts removed); without
#    markers it runs `make up` and `make test`;
# 3. runs them in the clone with `bash -e`, logging to $TMP/fresh-check.log;
# 4. always runs `make down` in the clone afterwards (unless --keep) and
#    removes the clone if everything passed.
#
# The clone uses the same ports as any other idchain on this machine, so the
# check refuses to start while one is running (override: FRESH_CHECK_FORCE=1).
# --dry-run clones, prints the commands it would run and cleans up.
# Exit status: 0 when every command succeeded.
set -euo pipefail

dry=0 keep=0 repo=""
for arg in "$@"; do
	case "$arg" in
	--dry-run) dry=1 ;;
	--keep) keep=1 ;;
	-h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "fresh-check: 未知参数 unknown flag $arg" >&2; exit 2 ;;
	*) repo="$arg" ;;
	esac
done
repo="${repo:-$(cd "$(dirname "$0")/.." && pwd)}"

say() { printf '[fresh-check %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# Something already listening on the API port means another idchain runs here.
api_port="${FRESH_CHECK_API_PORT:-8080}"
if [[ $dry == 0 && ${FRESH_CHECK_FORCE:-0} != 1 ]] && (exec 3<>"/dev/tcp/127.0.0.1/$api_port") 2>/dev/null; then
	echo "fresh-check: 端口 $api_port 已被占用, 另一个 idchain 正在运行 (port in use: another idchain runs here)." >&2
	echo "             先在那里 make down, 或换一台机器 (stop it first or use another machine); FRESH_CHECK_FORCE=1 overrides." >&2
	exit 1
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/idchain-fresh.XXXXXX")"
clone="$tmp/idchain"
log="$tmp/fresh-check.log"
say "克隆 cloning $repo → $clone"
git clone --quiet --no-hardlinks "$repo" "$clone"
say "提交 commit $(git -C "$clone" log -1 --format='%h %s')"

# The README's commands between the markers, else the two documented ones.
commands=()
if [[ -f "$clone/README.md" ]] && grep -q '<!-- fresh-check:begin -->' "$clone/README.md"; then
	while IFS= read -r line; do
		line="${line#\$ }"
		[[ -z "${line// /}" || $line == '```'* ]] && continue
		commands+=("$line")
	done < <(sed -n '/<!-- fresh-check:begin -->/,/<!-- fresh-check:end -->/p' "$clone/README.md" | sed '1d;$d')
	say "README 中的命令 commands from README.md: ${#commands[@]}"
else
	commands=("make up" "make test")
	say "README 中没有标记, 使用 no markers in README.md, using: make up; make test"
fi
if [[ ${#commands[@]} == 0 ]]; then
	echo "fresh-check: README 标记之间没有命令 (no commands between the markers)" >&2
	exit 1
fi

cleanup() {
	local status=$?
	if [[ $dry == 0 && $keep == 0 ]]; then
		say "清理 make down in the clone"
		(cd "$clone" && make down) >>"$log" 2>&1 || say "make down 失败 failed (see $log)"
	fi
	if [[ $status == 0 && $keep == 0 ]]; then
		rm -rf "$tmp"
	else
		say "保留 kept $tmp (log: $log)"
	fi
	exit $status
}
trap cleanup EXIT

if [[ $dry == 1 ]]; then
	for c in "${commands[@]}"; do say "将运行 would run: $c"; done
	exit 0
fi

start=$SECONDS
for c in "${commands[@]}"; do
	say "运行 running: $c   (log: $log)"
	t0=$SECONDS
	if ! (cd "$clone" && bash -e -c "$c") >>"$log" 2>&1; then
		say "✗ 失败 failed after $((SECONDS - t0))s: $c"
		tail -n 40 "$log" >&2
		exit 1
	fi
	say "✓ $c ($((SECONDS - t0))s)"
done
say "✓ 全新克隆检查通过 fresh-clone check passed in $((SECONDS - start))s"
