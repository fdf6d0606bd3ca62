#!/bin/bash
# mkinitramfs.sh BUILD MODDIR OUT - the whole root file system of the test VM
# (tests/kernels/vm-run.sh), as a gzip'd newc cpio archive OUT.
#
# The guest kernel (Debian's cloud kernel) has no 9p, so nothing is shared
# with the host: everything the guest runs is in here, laid out like the host
# (merged /usr: /bin, /sbin, /lib and /lib64 are links into /usr):
#   /usr/bin/busybox       busybox-static, with a link for each applet (a real
#                          file, a host binary below, always wins over a link)
#   HOST_BINS, EXTRA_BINS  host binaries the tests exec by path (the default:
#                          coreutils' true and sleep; t_hash copies true and
#                          runs the copies, which a busybox link cannot do)
#   EXTRA_FILES            more files: a relative path (from the current
#                          directory, the repository's root under make) under
#                          /ltrack, an absolute one at the same path; e.g.
#                          EXTRA_FILES=build/ltrack.bpf.o
#   /usr/bin/python3       Debian's python3 and the part of its standard
#                          library the e2e tests import (pymodules.py), no
#                          dist-packages
#   the ldd closure of every ELF above and below
#   /ltrack/               a slice of the repository, paths as in the tree:
#                          BUILD/ltrack as build/ltrack, every executable in
#                          BUILD/tests/ as build/tests/, tests/e2e/ (less the
#                          tests that need torch or numpy: E2E_LEAVE_OUT; the
#                          corpus t_scan.py generates has numpy and torch
#                          pickles), tests/kernels/, policy.toml
#   /lib/modules/vm/       the kernel modules VM_MODULES names (default
#                          overlay, a module in the cloud kernel) and their
#                          dependencies, from MODDIR (the package's
#                          lib/modules/VERSION), with a load order in ORDER
#   /etc                   passwd and group (root, nobody: the scan sandbox
#                          runs as nobody), hostname, hosts, nsswitch.conf
#   the directories policy.toml's [file_monitor] watches (ltrack refuses a
#   policy whose directory is missing: /usr/local/bin is not in the image)
#   /init                  tests/kernels/init
# Prints the archive's size and what took the room on stderr.
set -eu

build=$1
moddir=$2
out=$3
repo=$(cd "$(dirname "$0")/../.." && pwd)
HOST_BINS=${HOST_BINS:-/usr/bin/true /usr/bin/sleep}
EXTRA_BINS=${EXTRA_BINS:-}
EXTRA_FILES=${EXTRA_FILES:-}
VM_MODULES=${VM_MODULES-overlay}
E2E_LEAVE_OUT=${E2E_LEAVE_OUT:-t_formats.py t_modelscan.py t_scan.py}
PYTHON=/usr/bin/python3
BUSYBOX=/bin/busybox

[ -x "$build/ltrack" ] || { echo "mkinitramfs: $build/ltrack is missing (make)" >&2; exit 1; }
[ -x "$BUSYBOX" ] || { echo "mkinitramfs: no $BUSYBOX (scripts/deps.sh kernels)" >&2; exit 1; }

mkdir -p "$(dirname "$out")"
stage=$(mktemp -d "$(dirname "$out")/.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage"/usr/{bin,sbin,lib,lib64} "$stage"/{dev,proc,sys,tmp,run,root,etc,mnt,var/tmp}
for d in bin sbin lib lib64; do
	ln -s "usr/$d" "$stage/$d"
done
chmod 1777 "$stage/tmp" "$stage/var/tmp"
chmod 0700 "$stage/root"
# the kernel opens /dev/console for /init before /init mounts devtmpfs
mknod -m 0600 "$stage/dev/console" c 5 1
mknod -m 0666 "$stage/dev/null" c 1 3

# put PATH (a host path) at the same path in the guest; a link is kept as a
# link and its target copied too. Directories are taken canonical, so
# /lib/x/y lands in /usr/lib/x/y as on the host.
put() {
	local p=$1 dir dst
	dir=$(cd "$(dirname "$p")" && pwd -P)
	dst=$stage$dir/$(basename "$p")
	[ -e "$dst" ] || [ -L "$dst" ] && return 0
	mkdir -p "$stage$dir"
	if [ -L "$p" ]; then
		local t
		t=$(readlink "$p")
		ln -s "$t" "$dst"
		case "$t" in
		/*) put "$t" ;;
		*) put "$dir/$t" ;;
		esac
	else
		cp -p "$p" "$dst"
	fi
}

# the shared libraries PATH... load (ldd lists the whole closure)
elfs=()
put_libs() {
	local f lib
	for f in "$@"; do
		[ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
		for lib in $(ldd "$f" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) (.*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
			put "$lib"
		done
	done
}

# busybox and its applets
put "$BUSYBOX"
bb=$(cd "$(dirname "$BUSYBOX")" && pwd -P)/$(basename "$BUSYBOX")
"$BUSYBOX" --list-full | while read -r a; do
	[ -e "$stage/$a" ] || [ -L "$stage/$a" ] || ln -s "$bb" "$stage/$a"
done

# host binaries, each in place of the busybox link of the same name
for b in $HOST_BINS $EXTRA_BINS; do
	[ -e "$b" ] || { echo "mkinitramfs: no $b on this host" >&2; exit 1; }
	rm -f "$stage$(cd "$(dirname "$b")" && pwd -P)/$(basename "$b")"
	put "$b"
	elfs+=("$b")
done

# ltrack and the test binaries, at their repository paths under /ltrack
mkdir -p "$stage/ltrack/build/tests" "$stage/ltrack/tests"
cp -p "$build/ltrack" "$stage/ltrack/build/"
elfs+=("$build/ltrack")
if [ -d "$build/tests" ]; then
	while IFS= read -r f; do
		mkdir -p "$stage/ltrack/build/$(dirname "$f")"
		cp -p "$build/$f" "$stage/ltrack/build/$f"
		elfs+=("$build/$f")
	done < <(cd "$build" && find tests -type f -perm -u+x)
fi
for f in $EXTRA_FILES; do
	case "$f" in
	/*) put "$f" ;;
	*) mkdir -p "$stage/ltrack/$(dirname "$f")"
	   cp -pr "$f" "$stage/ltrack/$f" ;;
	esac
	[ -f "$f" ] && elfs+=("$f")
done
cp -p "$repo/policy.toml" "$stage/ltrack/"
cp -pr "$repo/tests/e2e" "$repo/tests/kernels" "$stage/ltrack/tests/"
for t in $E2E_LEAVE_OUT; do
	rm -f "$stage/ltrack/tests/e2e/$t"
done
rm -rf "$stage"/ltrack/tests/*/__pycache__
for d in $(sed -n 's/^directories *= *\[\(.*\)\].*/\1/p' "$repo/policy.toml" | tr -d '" ' | tr ',' ' '); do
	mkdir -p "$stage$d"
done

# python3 and the standard library the e2e scripts import
put "$PYTHON"
elfs+=("$(readlink -f "$PYTHON")")
"$PYTHON" "$repo/tests/kernels/pymodules.py" "$stage"/ltrack/tests/e2e/*.py > "$stage/.pyfiles"
while IFS= read -r f; do
	mkdir -p "$stage$(dirname "$f")"
	cp -pL "$f" "$stage$f"
	case "$f" in *.so) elfs+=("$f") ;; esac
done < "$stage/.pyfiles"
rm "$stage/.pyfiles"

# glibc dlopen()s libgcc_s for pthread_exit and pthread_cancel (its unwinder):
# in no ldd closure, and without it a thread's exit aborts ("libgcc_s.so.1
# must be installed for pthread_exit to work")
gcc_s=$(PATH=$PATH:/usr/sbin:/sbin ldconfig -p | sed -n 's/^[[:space:]]*libgcc_s\.so\.1 (libc6,x86-64) => \(.*\)$/\1/p' | head -n 1)
[ -n "$gcc_s" ] || { echo "mkinitramfs: no libgcc_s.so.1 on this host" >&2; exit 1; }
put "$gcc_s"
elfs+=("$gcc_s")

put_libs "${elfs[@]}"

# kernel modules and their dependencies, in load order
mods=()
add_module() {
	local name=$1 ko dep
	local m
	for m in "${mods[@]}"; do
		[ "$(basename "$m" .ko)" = "$name" ] && return 0
	done
	ko=$(find "$moddir/kernel" -name "$name.ko" | head -n 1)
	[ -n "$ko" ] || { echo "mkinitramfs: no module $name in $moddir" >&2; exit 1; }
	for dep in $(tr '\0' '\n' < "$ko" | grep -a '^depends=' | cut -d= -f2 | tr ',' ' '); do
		add_module "$dep"
	done
	mods+=("$ko")
}
for m in $VM_MODULES; do
	add_module "$m"
done
mkdir -p "$stage/usr/lib/modules/vm"
: > "$stage/usr/lib/modules/vm/ORDER"
for ko in "${mods[@]}"; do
	cp -p "$ko" "$stage/usr/lib/modules/vm/"
	basename "$ko" >> "$stage/usr/lib/modules/vm/ORDER"
done

cat > "$stage/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat > "$stage/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
echo ltrack-vm > "$stage/etc/hostname"
printf '127.0.0.1\tlocalhost ltrack-vm\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
	> "$stage/etc/hosts"
printf 'passwd: files\ngroup: files\nhosts: files\n' > "$stage/etc/nsswitch.conf"
cp "$repo/tests/kernels/init" "$stage/init"
chmod 0755 "$stage/init"

(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"

{
	printf 'mkinitramfs: %s: %s KiB (%s KiB unpacked):' "$out" \
		$(( $(stat -c %s "$out") / 1024 )) "$(du -sk "$stage" | cut -f1)"
	printf ' ltrack %s,' "$(du -sh "$stage/ltrack" | cut -f1)"
	printf ' python %s,' "$(du -shc "$stage"/usr/lib/python3* "$stage$(readlink -f "$PYTHON")" |
		tail -n 1 | cut -f1)"
	printf ' libraries %s,' "$(du -shc "$stage"/usr/lib/x86_64-linux-gnu "$stage"/usr/lib64 |
		tail -n 1 | cut -f1)"
	printf ' busybox %s, modules %s\n' "$(du -sh "$stage/usr/bin/busybox" | cut -f1)" \
		"$(du -sh "$stage/usr/lib/modules" | cut -f1)"
} >&2
