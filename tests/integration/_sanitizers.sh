# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# Sourced by _init.sh and scripts/test.sh: the sanitizer options for a run of
# build-asan/ (ASan + UBSan) binaries, and the check that no report came out.
#
#   san_env DIR          export ASAN_OPTIONS, LSAN_OPTIONS, UBSAN_OPTIONS for
#                        every sanitized process started from here on
#                        (iochain, iochainctl)
#   san_reports DIR [LOG...]
#                        print, as TAP comments, every report file in DIR and
#                        every report in the LOG files (stderr of processes);
#                        fails if there is any
#
# ASan and LSan write their reports to DIR/asan.PID (log_path), whoever the
# process is, so that a report of iochainctl's is not lost in a command
# substitution. detect_leaks=1: LeakSanitizer runs at exit (main returns
# after rte_eal_cleanup()); tests/unit/lsan.supp suppresses what EAL and its
# drivers allocate once per process and never free, nothing of iochain's.
# A memory error ends the process (halt_on_error, the default).
# UBSan: GCC 12's libubsan, next to libasan, ignores log_path and always writes
# to stderr, so its reports are found in the LOG files; halt_on_error=1 also
# ends the process at the first one, which every test sees (iochain's exit
# status, a command that fails), as the unit tests do.
# A process killed by SIGKILL leaves no leak report: the tests stop iochain
# with SIGINT and check its exit status.

san_env() {
	local dir=$1 top
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	mkdir -p "$dir"
	export ASAN_OPTIONS="log_path=$dir/asan:detect_leaks=1:abort_on_error=0"
	export LSAN_OPTIONS="suppressions=$top/tests/unit/lsan.supp:print_suppressions=0"
	export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
}

SAN_PATTERN='runtime error:|ERROR: [A-Za-z]+Sanitizer|WARNING: [A-Za-z]+Sanitizer|SUMMARY: [A-Za-z]+Sanitizer'

san_reports() {
	local dir=$1 f found=1
	shift
	for f in "$dir"/asan.*; do
		[ -e "$f" ] || continue
		found=0
		echo "# sanitizer report $f:"
		sed 's/^/#   /' "$f" | head -60
	done
	for f in "$@"; do
		grep -qsE "$SAN_PATTERN" "$f" || continue
		found=0
		echo "# sanitizer report in $(basename "$f"):"
		grep -E -A30 "$SAN_PATTERN" "$f" | head -60 | sed 's/^/#   /'
	done
	[ "$found" -ne 0 ]
}
