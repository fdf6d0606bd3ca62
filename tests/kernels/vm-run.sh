#!/bin/bash
# vm-run.sh [-b BUILD] [-t SECONDS] [-e VAR=VALUE]... [-- COMMAND...] - boot
# Debian 12's own kernel (6.1) under qemu and run ltrack's guest script in it
# (tests/kernels/guest.sh: every phase, or COMMAND). `make test-kernels` runs
# it without a command. Exits with the guest's status.
#
#   -b BUILD         the build directory with ltrack and tests/ (default build)
#   -t SECONDS       limit on the VM, boot included (VM_TIMEOUT, default 1500)
#   -e VAR=VALUE     environment for guest.sh, e.g. -e E2E='-k net_' (repeatable)
#   -- COMMAND...    run this in the guest instead of the phases, in /ltrack,
#                    e.g. `-- ltrack verify` or `-- python3 tests/e2e/run.py -v
#                    file_create`; guest.sh's phase names run those phases
#
# Steps: the kernel package (fetch-kernel.sh: apt-get download, cached in
# BUILD/kernels/), the initramfs (mkinitramfs.sh: the whole root, rebuilt on
# every run), then qemu with TCG: nested KVM fails on the machines we run on
# (see docs/kernels.md). The serial console goes to stdout and to
# BUILD/kernels/console.log, with \r removed. The guest prints
# "LTRACK-VM-EXIT rc=N" before it powers off; without that line the run
# failed (exit 124 when the limit struck, 125 otherwise).
#
# Environment: KERNEL_PKG (a package name, default the newest
# linux-image-6.1.0-*-cloud-amd64-unsigned), HOST_BINS, EXTRA_BINS, EXTRA_FILES and
# VM_MODULES (what the initramfs holds, see mkinitramfs.sh), VM_MEM (MiB,
# 4096), VM_SMP (2), VM_APPEND (more kernel arguments), QEMU.
set -eu
shopt -s lastpipe

here=$(cd "$(dirname "$0")" && pwd)
build=build
limit=${VM_TIMEOUT:-1500}
envs=()
while getopts b:t:e:h opt; do
	case "$opt" in
	b) build=$OPTARG ;;
	t) limit=$OPTARG ;;
	e) envs+=("$OPTARG") ;;
	*) sed -n '2,/^set -eu/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift

QEMU=${QEMU:-qemu-system-x86_64}
VM_MEM=${VM_MEM:-4096}
VM_SMP=${VM_SMP:-2}
VM_APPEND=${VM_APPEND:-}
kdir=$build/kernels
log=$kdir/console.log
mkdir -p "$kdir"

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
say() { echo "vm-run: $*"; }

t_start=$(now)
vmlinuz=$("$here/fetch-kernel.sh" "$kdir")
kver=${vmlinuz##*/vmlinuz-}
moddir=$(dirname "$(dirname "$vmlinuz")")/lib/modules/$kver
t_kernel=$(now)

"$here/mkinitramfs.sh" "$build" "$moddir" "$kdir/initramfs.cpio.gz"
t_initramfs=$(now)

# the command line and environment, as a second archive after the first
# (the kernel unpacks concatenated archives in order)
vmdir=$(mktemp -d "$kdir/.vm.XXXXXX")
trap 'rm -rf "$vmdir"' EXIT
mkdir "$vmdir/vm"
: > "$vmdir/vm/cmd"
for a in "$@"; do
	printf "'%s' " "$(printf '%s' "$a" | sed "s/'/'\\\\''/g")" >> "$vmdir/vm/cmd"
done
: > "$vmdir/vm/env"
for e in "${envs[@]}"; do
	case "$e" in
	[A-Za-z_]*=*) ;;
	*) echo "vm-run: -e $e: not VAR=VALUE" >&2; exit 2 ;;
	esac
	v=${e#*=}
	printf "%s='%s'\n" "${e%%=*}" "$(printf '%s' "$v" | sed "s/'/'\\\\''/g")" >> "$vmdir/vm/env"
done
(cd "$vmdir" && find vm | cpio -o -H newc -R 0:0 --quiet) | gzip > "$vmdir/vm.cpio.gz"
cat "$kdir/initramfs.cpio.gz" "$vmdir/vm.cpio.gz" > "$vmdir/initrd.cpio.gz"

say "$(tr '\n' ' ' < "$(dirname "$(dirname "$vmlinuz")")/PACKAGE")-> $vmlinuz; qemu TCG, ${VM_SMP} CPUs, ${VM_MEM} MiB; limit ${limit} s; console in $log"
# A soft lockup (a CPU in the kernel for 20 s without scheduling) prints
# every CPU's backtrace (loglevel 5 shows warnings and traces, not the
# boot's chatter) and the guest goes on: under TCG a vCPU thread the host
# does not run for a while looks the same as a kernel that spins, so the
# report alone fails nothing; a guest that really hangs runs into the limit.
# Either way report_kernel_problems prints the first report at the end of
# the run, after the test that was running, where a CI log's tail shows it.
lockup="softlockup_all_cpu_backtrace=1"
# One host thread runs every vCPU (thread=single): with a thread per vCPU
# (multi), a CPU can keep running a stale translation of code another CPU is
# patching. The guest kernel patches its syscall entry (a static key, with
# an int3 while it patches) each time a program attaches to a syscall
# tracepoint; two CI runs hung there, both CPUs looping at
# syscall_trace_enter on the int3 (docs/kernels.md). VM_TCG_THREAD=multi
# runs it faster, with that risk.
VM_TCG_THREAD=${VM_TCG_THREAD:-single}
: > "$log"
t_qemu=$(now)
t_init="" t_exit="" rc=""
timeout -k 10 "$limit" "$QEMU" -accel "tcg,thread=$VM_TCG_THREAD" -cpu max -m "$VM_MEM" -smp "$VM_SMP" \
	-kernel "$vmlinuz" -initrd "$vmdir/initrd.cpio.gz" \
	-append "console=ttyS0 rdinit=/init panic=-1 quiet loglevel=5 $lockup $VM_APPEND" \
	-nodefaults -no-user-config -display none -serial stdio -monitor none -no-reboot \
	< /dev/null 2>&1 |
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%$'\r'}
		printf '%s\n' "$line" >> "$log"
		printf '%s\n' "$line"
		case "$line" in
		LTRACK-VM-INIT\ *) t_init=$(now) ;;
		LTRACK-VM-EXIT\ rc=*) t_exit=$(now); rc=${line#LTRACK-VM-EXIT rc=} ;;
		esac
	done
qemu_rc=${PIPESTATUS[0]}
t_end=$(now)

size=$(( $(stat -c %s "$kdir/initramfs.cpio.gz") / 1024 ))
times="kernel package $(secs "$t_start" "$t_kernel") s"
times="$times, initramfs $(secs "$t_kernel" "$t_initramfs") s ($size KiB)"
if [ -n "$t_init" ]; then
	times="$times, boot to /init $(secs "$t_qemu" "$t_init") s"
	[ -n "$t_exit" ] && times="$times, run $(secs "$t_init" "$t_exit") s"
	[ -n "$t_exit" ] && times="$times, power-off $(secs "$t_exit" "$t_end") s"
fi
times="$times, total $(secs "$t_start" "$t_end") s"
say "$times"

# report_kernel_problems - the guest kernel's first problem report on the
# console (soft lockup, hung task, BUG, Oops, WARNING), with the e2e line
# before it (which test ran) and the trace after it
report_kernel_problems() {
	local first last_test
	first=$(grep -n -m1 -E 'BUG:|soft lockup|blocked for more than|Oops|general protection fault|WARNING: CPU|Kernel panic' "$log" | cut -d: -f1) || true
	[ -n "$first" ] || return 0
	last_test=$(head -n "$first" "$log" | grep -E '^(ok|FAIL|xfail|LTRACK-VM-PHASE) ' | tail -n 1) || true
	say "the guest kernel reported a problem (console line $first; the line before it: ${last_test:-none}):"
	sed -n "$((first > 3 ? first - 3 : 1)),$((first + 60))p" "$log" | sed 's/^/  | /'
	say "kernel RIPs in all the reports: $(grep -E 'RIP: 0010:' "$log" | sed 's/.*RIP: 0010://' | sort | uniq -c | sort -rn | head -n 8 | tr -s ' ' | tr '\n' ';')"
}
report_kernel_problems

if [ -z "$rc" ]; then
	if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
		say "FAILED: no exit marker within the limit of $limit s (console: $log)"
		exit 124
	fi
	[ -n "$t_init" ] || say "FAILED: the guest never reached /init (qemu exit status $qemu_rc; console: $log)"
	[ -n "$t_init" ] && say "FAILED: the guest stopped before its exit marker (qemu exit status $qemu_rc; console: $log)"
	exit 125
fi
say "guest exit status $rc"
exit "$rc"
