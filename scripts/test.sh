#!/usr/bin/env bash
# Sets everything up and runs every test of iochain:
#   unit tests (CUnit, --no-huge --in-memory), the same under ASan + UBSan,
#   the integration tests (netns + net_tap, iochainctl), as root, and most of
#   them again with iochain and iochainctl built with ASan + UBSan.
# Ends with one line: N passed, N failed.
set -u
cd "$(dirname "$0")/.."
TOP=$(pwd)

bash scripts/setup.sh || exit 1
bash scripts/build.sh --asan || exit 1

passed=0
failed=0
LOGDIR=$(mktemp -d /tmp/iochain-tests.XXXXXX)

# A CUnit run ends with "unit: N passed, N failed".
run_unit() {
	local name=$1 bin=$2 log="$LOGDIR/$1.log"
	shift 2
	echo "== $name"
	env "$@" "$bin" >"$log" 2>&1
	local rc=$?
	grep -E "^  Test: .*(passed|FAILED)|^    [0-9]+\. " "$log" | sed 's/^/  /' | grep -v "passed" || true
	local line
	line=$(grep -E "^unit: [0-9]+ passed, [0-9]+ failed" "$log" | tail -1)
	if [ -z "$line" ]; then
		echo "  $name: no result line (exit $rc); log:"
		tail -30 "$log" | sed 's/^/    /'
		failed=$((failed + 1))
		return
	fi
	local p f
	p=$(echo "$line" | awk '{print $2}')
	f=$(echo "$line" | awk '{print $4}')
	# A sanitizer report or a crash after the summary still fails the run.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "  $name: exit status $rc after all tests passed:"
		grep -E "ERROR|SUMMARY|runtime error" "$log" | head -20 | sed 's/^/    /'
		f=1
	fi
	echo "  $name: $p passed, $f failed"
	passed=$((passed + p))
	failed=$((failed + f))
}

# Integration tests print TAP.
#   run_tap [-n NAME] [-s SANDIR] TEST [ARGS...]
# With -s, TEST runs with the sanitizer options of _sanitizers.sh, its ASan and
# LSan reports in SANDIR; a report there or in its output fails it even if
# every TAP line passed.
run_tap() {
	local name='' sandir=''
	while [ $# -gt 0 ]; do
		case $1 in
		-n) name=$2; shift 2 ;;
		-s) sandir=$2; shift 2 ;;
		*) break ;;
		esac
	done
	local t=$1 log
	shift
	[ -n "$name" ] || name=$(basename "$t")
	log="$LOGDIR/$(echo "$name" | tr -c "A-Za-z0-9._\n-" _).log"
	echo "== $name"
	if [ -n "$sandir" ]; then
		(san_env "$sandir" && IOC_SAN_DIR=$sandir exec bash "$t" "$@") >"$log" 2>&1
	else
		bash "$t" "$@" >"$log" 2>&1
	fi
	local rc=$?
	grep -E "^(not ok|#)" "$log" | sed 's/^/  /'
	local p f
	p=$(grep -c "^ok " "$log")
	f=$(grep -c "^not ok " "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "  exit status $rc:"
		tail -20 "$log" | sed 's/^/    /'
		f=1
	fi
	if [ -n "$sandir" ] && [ "$f" -eq 0 ] && ! san_reports "$sandir" "$log" >"$log.san"; then
		sed 's/^/  /' "$log.san"
		f=1
	fi
	echo "  $name: $p passed, $f failed"
	passed=$((passed + p))
	failed=$((failed + f))
}

run_unit unit build/tests/unit/unit_tests
run_unit unit-asan build-asan/tests/unit/unit_tests \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	LSAN_OPTIONS="suppressions=$TOP/tests/unit/lsan.supp:print_suppressions=0" \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

# The conventional build with the project's own defaults (release, -O3,
# werror), as a new user would type it: one test.
run_default_build() {
	local log="$LOGDIR/build-release.log"
	echo "== build-release (meson setup build-release && ninja -C build-release)"
	if { [ -f build-release/build.ninja ] || meson setup build-release; } >"$log" 2>&1 &&
		ninja -C build-release >>"$log" 2>&1; then
		echo "  build-release: 1 passed, 0 failed"
		passed=$((passed + 1))
	else
		echo "  build-release: the default build fails; log:"
		tail -30 "$log" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
}
run_default_build

export IOC_BUILD=$TOP/build
run_tap tests/fuzz/run.sh 20
run_tap tests/integration/test_iochainctl_fake.sh "$TOP/build/app/iochainctl"
for t in tests/integration/test_*.sh; do
	[ "$(basename "$t")" = test_iochainctl_fake.sh ] && continue
	run_tap "$t"
done
run_tap scripts/soak.sh 60
# The same invariants with an external SVM (a testpmd appliance over memif): stop, kill and
# restart drills; `restart` relaunches it; the ledgers count what it kept.
run_tap -n "soak.sh --appliance memif" scripts/soak.sh --appliance memif 60

# The same binaries built with ASan + UBSan (build-asan/): a subset of the
# integration tests and a short soak; any sanitizer report fails the test.
. tests/integration/_sanitizers.sh
export IOC_BUILD=$TOP/build-asan
for t in test_lab_ping test_failover test_dfw test_reload test_ctl_errors test_check test_malformed_pcap test_memif_testpmd test_vdev_shutdown test_capture; do
	run_tap -n "$t.sh (asan)" -s "$LOGDIR/san-$t" tests/integration/$t.sh
done
run_tap -n "test_iochainctl_fake.sh (asan)" -s "$LOGDIR/san-iochainctl_fake" \
	tests/integration/test_iochainctl_fake.sh "$TOP/build-asan/app/iochainctl"
# The ASan soak is off: under ASan a drill now takes ~10 s (4 drills in 40 s, not the
# 6 kinds the soak requires); not understood yet. The plain soak above runs every kind.
export IOC_BUILD=$TOP/build

# Benchmark smoke runs: every scenario must run; speed is never asserted.
run_smoke() {
	local name=$1 log="$LOGDIR/$1.log"
	shift
	echo "== $name"
	if "$@" >"$log" 2>&1; then
		echo "  $name: 1 passed, 0 failed"
		passed=$((passed + 1))
	else
		tail -20 "$log" | sed 's/^/    /'
		echo "  $name: 0 passed, 1 failed"
		failed=$((failed + 1))
	fi
}
run_smoke bench-quick bash scripts/bench.sh --quick
run_smoke bench-failover-quick bash scripts/bench-failover.sh --quick --no-plots
run_smoke bench-latency-quick bash scripts/bench-latency.sh --quick

echo "logs: $LOGDIR"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
