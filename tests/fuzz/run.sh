#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) into build-fuzz/ and
# runs each for SECONDS (default 30) from its seed corpus, after replaying the
# regression inputs in tests/fuzz/regressions/<target>/. One TAP line per target.
#   tests/fuzz/run.sh [SECONDS]
set -u
cd "$(dirname "$0")/../.."
TOP=$(pwd)
SECS=${1:-30}
OUT=$TOP/build-fuzz
CC=${CC_FUZZ:-clang-14}
mkdir -p "$OUT"

INC=()
for d in topology config common chain swsec port fwd telemetry svc watchdog sfw trace; do
	INC+=(-I"$TOP/lib/$d")
done
CFLAGS=(-g -O1 -std=gnu11 -D_GNU_SOURCE -DRTE_LOG_DEFAULT_LOGTYPE=iochain
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
	-fno-omit-frame-pointer -Wno-unused-command-line-argument)
DPDK_CFLAGS=$(pkg-config --cflags libdpdk)
DPDK_LIBS=$(pkg-config --libs libdpdk)
CONFIG_SRCS=$(ls lib/config/*.c)
LIB_SRCS=$(ls lib/*/*.c | grep -v -e '^lib/config/' -e lib/topology/topology.c)

build() {
	local t=$1 log="$OUT/$1.build.log"
	shift
	# shellcheck disable=SC2068
	$CC "${CFLAGS[@]}" "${INC[@]}" $@ -o "$OUT/$t" >"$log" 2>&1
}

n=0
echo "1..3"
for t in fuzz_config fuzz_parse fuzz_chain; do
	n=$((n + 1))
	case $t in
	fuzz_config)
		# shellcheck disable=SC2086
		build $t tests/fuzz/fuzz_config.c $CONFIG_SRCS lib/topology/topology.c -linih ;;
	fuzz_parse)
		build $t $DPDK_CFLAGS tests/fuzz/fuzz_parse.c lib/chain/meta.c $DPDK_LIBS ;;
	fuzz_chain)
		# shellcheck disable=SC2086
		build $t $DPDK_CFLAGS -Itests/unit tests/fuzz/fuzz_chain.c tests/unit/fixture.c \
			$LIB_SRCS $CONFIG_SRCS lib/topology/topology.c -linih -lnuma \
			-lrte_net_ring -lcunit -lpthread $DPDK_LIBS ;;
	esac
	if [ $? -ne 0 ] || [ ! -x "$OUT/$t" ]; then
		echo "not ok $n - $t: build failed (see $OUT/$t.build.log)"
		sed 's/^/# /' "$OUT/$t.build.log" | tail -20
		continue
	fi
	corpus=$OUT/corpus/$t
	mkdir -p "$corpus"
	log=$OUT/$t.log
	reg=tests/fuzz/regressions/$t
	export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
	export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
	# Regressions first: each must run clean.
	if [ -d "$reg" ] && [ -n "$(ls -A "$reg" 2>/dev/null)" ]; then
		if ! "$OUT/$t" "$reg"/* >"$OUT/$t.regress.log" 2>&1; then
			echo "not ok $n - $t: a regression input fails (see $OUT/$t.regress.log)"
			grep -E "ERROR|SUMMARY|runtime error" "$OUT/$t.regress.log" | head -5 | sed 's/^/# /'
			continue
		fi
	fi
	"$OUT/$t" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=4096 \
		-print_final_stats=1 -artifact_prefix="$OUT/$t-" "$corpus" "tests/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	execs=$(grep -oE "stat::number_of_executed_units: *[0-9]+" "$log" | grep -oE "[0-9]+$")
	[ -z "$execs" ] && execs=$(grep -oE "^#[0-9]+" "$log" | tail -1 | tr -d '#')
	if [ $rc -eq 0 ]; then
		echo "ok $n - $t: $SECS s, ${execs:-?} executions, no crash"
	else
		echo "not ok $n - $t: crash after ${execs:-?} executions (exit $rc; artifact in $OUT)"
		grep -E "ERROR|SUMMARY|runtime error|Test unit written" "$log" | head -5 | sed 's/^/# /'
	fi
done
