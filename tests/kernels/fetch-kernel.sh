#!/bin/sh
# fetch-kernel.sh DIR - Debian's kernel for the test VM, from Debian's own
# package: prints the path of its vmlinuz (and nothing else on stdout).
#
# The package is KERNEL_PKG, by default the newest
# linux-image-6.1.0-N-cloud-amd64-unsigned that apt knows (the ABI number N
# moves with Debian's updates). It is fetched with `apt-get download` into
# DIR and unpacked with `dpkg-deb -x` into DIR/PACKAGE/ (boot/ and lib/modules/,
# for the few modules the guest loads: see mkinitramfs.sh). A package unpacked
# before is reused, so a rerun needs no network.
set -eu

dir=$1
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

newest() {
	apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$' |
		cut -d' ' -f1 | sort -V | tail -n 1
}

pkg=${KERNEL_PKG:-}
if [ -z "$pkg" ]; then
	pkg=$(newest)
	if [ -z "$pkg" ]; then
		# a machine whose package lists were never fetched knows no kernel yet
		echo "fetch-kernel: no linux-image-6.1.0-*-cloud-amd64-unsigned known; apt-get update" >&2
		apt-get update -qq >&2
		pkg=$(newest)
	fi
	[ -n "$pkg" ] || { echo "fetch-kernel: apt knows no 6.1 cloud kernel package" >&2; exit 1; }
fi

out=$dir/$pkg
find_vmlinuz() {
	for f in "$out"/boot/vmlinuz-*; do
		[ -f "$f" ] && echo "$f" && break
	done
	return 0
}
vmlinuz=$(find_vmlinuz)
if [ -n "$vmlinuz" ]; then
	echo "$vmlinuz"
	exit 0
fi

echo "fetch-kernel: apt-get download $pkg" >&2
tmp=$(mktemp -d "$dir/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# apt-get download writes into the current directory; as root it hands the
# download to the _apt user, who must be able to write there
chmod 0777 "$tmp"
if ! (cd "$tmp" && apt-get download -q "$pkg" >&2); then
	# stale package lists name a file the mirror no longer has
	echo "fetch-kernel: download failed; apt-get update and once more" >&2
	apt-get update -qq >&2
	(cd "$tmp" && apt-get download -q "$pkg" >&2)
fi
deb=$(ls "$tmp"/*.deb)
dpkg-deb -x "$deb" "$tmp/root"
rm -rf "$out"
mkdir -p "$out"
mv "$tmp/root/boot" "$tmp/root/lib" "$out/"
dpkg-deb -f "$deb" Package Version > "$out/PACKAGE"
vmlinuz=$(find_vmlinuz)
[ -n "$vmlinuz" ] || { echo "fetch-kernel: $pkg has no boot/vmlinuz-*" >&2; exit 1; }
echo "fetch-kernel: $(tr '\n' ' ' < "$out/PACKAGE")-> $vmlinuz" >&2
echo "$vmlinuz"
