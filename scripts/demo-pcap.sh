#!/usr/bin/env bash
# The pcap demo: no kernel interfaces. Two vNICs replay pcaps forever
# (net_pcap infinite_rx) into a net_null uplink; iochain prints its counters
# every second. This is the topology iochain runs when no -c is given.
#
#   sudo bash scripts/demo-pcap.sh [SECONDS]     (default 10)
set -u
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
bash scripts/build.sh || exit 1
python3 scripts/gen-pcap.py --dir /run/iochain || exit 1
echo "lcore 0 (CPU 0): control; lcore 1 (CPU 1): forwarding"
timeout --preserve-status -s INT "${1:-10}" build/app/iochain -l 0-1 --file-prefix iochain-pcap
