#!/usr/bin/env bash
# Builds iochain into build/ (and, with --asan, the sanitizer build into build-asan/).
set -euo pipefail
cd "$(dirname "$0")/.."

build() {
	local dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || {
			cat "$dir.setup.log" >&2
			return 1
		}
	fi
	ninja -C "$dir" >"$dir.ninja.log" 2>&1 || {
		tail -50 "$dir.ninja.log" >&2
		return 1
	}
	rm -f "$dir.setup.log" "$dir.ninja.log"
	echo "build: $dir ok"
}

build build --buildtype=debugoptimized
if [ "${1:-}" = "--asan" ]; then
	build build-asan --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false
fi
