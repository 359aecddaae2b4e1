#!/usr/bin/env bash
# Sets everything up and runs every test of iochain:
#   unit tests (CUnit, --no-huge --in-memory), the same under ASan + UBSan,
#   and the integration tests (netns + net_tap, iochainctl), as root.
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
run_tap() {
	local t=$1 log
	log="$LOGDIR/$(basename "$t").log"
	echo "== $(basename "$t")"
	bash "$t" "${@:2}" >"$log" 2>&1
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
	echo "  $(basename "$t"): $p passed, $f failed"
	passed=$((passed + p))
	failed=$((failed + f))
}

run_unit unit build/tests/unit/unit_tests
run_unit unit-asan build-asan/tests/unit/unit_tests \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	LSAN_OPTIONS="suppressions=$TOP/tests/unit/lsan.supp:print_suppressions=0" \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

export IOC_BUILD=$TOP/build
run_tap tests/fuzz/run.sh 20
run_tap tests/integration/test_iochainctl_fake.sh "$TOP/build/app/iochainctl"
for t in tests/integration/test_*.sh; do
	[ "$(basename "$t")" = test_iochainctl_fake.sh ] && continue
	run_tap "$t"
done
run_tap scripts/soak.sh 60

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

echo "logs: $LOGDIR"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
