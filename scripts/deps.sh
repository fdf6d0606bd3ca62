#!/bin/sh
# deps.sh SET... - install the Debian packages a make target needs, only
# those missing. Sets: build, test, bench, format, kernels (make test-kernels:
# qemu and what tests/kernels/ puts in the guest's initramfs). Safe to run
# repeatedly; does nothing (and needs no network) when everything is present.
# The Makefile runs it once per make, before anything is built (its `deps`).
set -eu

pkgs_build="gcc make clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libssl-dev pkg-config libseccomp-dev libbz2-dev liblzma-dev"
pkgs_test="libcmocka-dev python3 libclang-rt-14-dev iproute2 util-linux python3-torch python3-numpy python3-sklearn python3-joblib time bindfs"
pkgs_bench="bpftrace libbpf-tools auditd python3"
pkgs_format="clang-format"
pkgs_kernels="qemu-system-x86 busybox-static cpio python3"

want=""
for set in "$@"; do
	case "$set" in
	build) want="$want $pkgs_build" ;;
	test) want="$want $pkgs_build $pkgs_test" ;;
	bench) want="$want $pkgs_build $pkgs_bench" ;;
	format) want="$want $pkgs_format" ;;
	kernels) want="$want $pkgs_build $pkgs_kernels" ;;
	*) echo "deps.sh: unknown set '$set'" >&2; exit 2 ;;
	esac
done

missing=""
for p in $want; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) case " $missing " in *" $p "*) ;; *) missing="$missing $p" ;; esac ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps.sh: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
