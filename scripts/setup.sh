#!/usr/bin/env bash
# Idempotent machine set-up for iochain on Debian 12: packages, hugepages.
# Safe to run again; it only changes what is missing.
set -euo pipefail

PKGS=(dpdk dpdk-dev libdpdk-dev libnuma-dev libinih-dev libcunit1-dev meson ninja-build
      pkg-config gcc iproute2 iputils-ping libpcap-dev libjson-c-dev python3 clang libclang-rt-14-dev gnuplot-nox
      prometheus python3-prometheus-client openvswitch-switch-dpdk nftables tshark)
NR_HUGE=${IOC_NR_HUGEPAGES:-1024}

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup.sh: run as root (it installs packages and reserves hugepages)" >&2
		exit 1
	fi
}

install_packages() {
	local missing=()
	for p in "${PKGS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		echo "setup: packages present"
		return
	fi
	echo "setup: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
}

setup_hugepages() {
	local f=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
	if [ -w "$f" ] && [ "$(cat "$f")" -lt "$NR_HUGE" ]; then
		echo "$NR_HUGE" >"$f" || true
	fi
	echo "setup: $(cat "$f" 2>/dev/null || echo 0) hugepages of 2 MiB"
	mkdir -p /dev/hugepages
	if ! mountpoint -q /dev/hugepages; then
		mount -t hugetlbfs nodev /dev/hugepages || echo "setup: cannot mount hugetlbfs" >&2
	fi
	mkdir -p /run/iochain
}

need_root
install_packages
setup_hugepages
