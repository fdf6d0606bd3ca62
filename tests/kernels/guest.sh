#!/bin/sh
# guest.sh [PHASE... | COMMAND...] - what the test VM runs, from /init, in
# /ltrack (the repository's slice in the initramfs: build/ltrack,
# build/tests/, tests/e2e/, policy.toml), as root, with PATH starting at
# /ltrack/build and LTRACK and HELPER set as tests/e2e/run.py expects.
#
# Without arguments it runs every phase; arguments that are all phase names
# run those; anything else is a command, run as is (`vm-run.sh -- ltrack
# verify`). Phases:
#   kernel   uname -r, the kernel's BTF
#   version  ltrack --version
#   verify   ltrack verify: every program's verifier cost against the budget
#   load     ltrack on the default policy: does every program load and
#            attach (ready) within LOAD_TIMEOUT s; it then runs LOAD_SECONDS s
#            and stops on SIGINT (within STOP_TIMEOUT s)
#   e2e      python3 tests/e2e/run.py with the tests in E2E_SUBSET_FILE (the
#            core tests: every event family), or
#            with $E2E when set (vm-run.sh -e E2E='-k net_')
# Each phase ends with a line "LTRACK-VM-PHASE NAME rc=N secs=S"; a command
# with "LTRACK-VM-PHASE command rc=N secs=S". The exit status is the
# command's, or 1 when a phase failed.
# A phase runs as an `if` condition, out of reach of set -e: it goes on after
# a failed step and returns its own status.
# shellcheck disable=SC2317 # the phase_* functions are called by name
set -eu

E2E_SUBSET_FILE=tests/e2e/core-tests.txt
LOAD_TIMEOUT=${LOAD_TIMEOUT:-900}
LOAD_SECONDS=${LOAD_SECONDS:-5}
STOP_TIMEOUT=${STOP_TIMEOUT:-60}
LOAD_LOG_LINES=${LOAD_LOG_LINES:-300}
PHASES="kernel version verify load e2e"

export LTRACK=/ltrack/build/ltrack
export HELPER=/ltrack/build/tests/e2e-helper
# the CPU is emulated: every wait of the e2e tests ten times longer
export LTRACK_E2E_TIME_SCALE=${LTRACK_E2E_TIME_SCALE:-10}

uptime_s() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(uptime_s)" 'BEGIN { printf "%.1f", b - a }'; }

phase_kernel() {
	uname -r && ls -l /sys/kernel/btf/vmlinux
}

phase_version() {
	ltrack --version
}

phase_verify() {
	ltrack verify
}

phase_load() {
	out=/tmp/ltrack-load.out
	err=/tmp/ltrack-load.err
	: > "$err"	# before the job starts: grep must never see an old file
	t0=$(uptime_s)
	ltrack --config policy.toml > "$out" 2> "$err" &
	pid=$!
	loaded=0
	while kill -0 "$pid" 2>/dev/null; do
		if grep -q 'ready:' "$err"; then
			loaded=1
			break
		fi
		if [ "$(since "$t0" | cut -d. -f1)" -ge "$LOAD_TIMEOUT" ]; then
			echo "load: not ready after ${LOAD_TIMEOUT} s; stopping it"
			break
		fi
		sleep 0.2
	done
	ready_s=$(since "$t0")
	[ "$loaded" = 1 ] && sleep "$LOAD_SECONDS"
	# sh starts a background job with SIGINT ignored; ltrack still gets it,
	# through the signalfd of its blocked SIGINT
	kill -INT "$pid" 2>/dev/null
	t1=$(uptime_s)
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$(since "$t1" | cut -d. -f1)" -ge "$STOP_TIMEOUT" ]; then
			echo "load: still running ${STOP_TIMEOUT} s after SIGINT; SIGKILL"
			kill -KILL "$pid"
			break
		fi
		sleep 0.2
	done
	wait "$pid"
	rc=$?
	n=$(wc -l < "$err")
	echo "load: ltrack's stderr ($n lines):"
	if [ "$n" -gt "$LOAD_LOG_LINES" ]; then
		head -n $((LOAD_LOG_LINES / 2)) "$err"
		echo "... ($((n - LOAD_LOG_LINES)) lines left out) ..."
		tail -n $((LOAD_LOG_LINES / 2)) "$err"
	else
		cat "$err"
	fi
	if [ "$loaded" = 1 ]; then
		echo "load: LOADED: ready after $ready_s s, ran ${LOAD_SECONDS} s," \
			"$(wc -l < "$out") events, exit status $rc"
		return "$rc"
	fi
	echo "load: NOT LOADED: ltrack exited with status $rc after $ready_s s"
	[ "$rc" = 0 ] && rc=1
	return "$rc"
}

phase_e2e() {
	if [ -n "${E2E+set}" ]; then
		args=$E2E
	else
		args=$(sed -e 's/#.*//' "$E2E_SUBSET_FILE" | tr '\n' ' ')
	fi
	if [ -z "$(echo "$args" | tr -d ' \t')" ]; then
		echo "e2e: no test selected"
		return 0
	fi
	# shellcheck disable=SC2086 # one word per name or filter
	python3 tests/e2e/run.py $args
}

run_phase() {
	name=$1
	shift
	echo "== $name"
	t0=$(uptime_s)
	if "$@"; then rc=0; else rc=$?; fi
	echo "LTRACK-VM-PHASE $name rc=$rc secs=$(since "$t0")"
	return "$rc"
}

all_phases=1
for a in "$@"; do
	case " $PHASES " in
	*" $a "*) ;;
	*) all_phases=0 ;;
	esac
done

if [ $# -gt 0 ] && [ "$all_phases" = 0 ]; then
	if run_phase command "$@"; then exit 0; else exit $?; fi
fi

# shellcheck disable=SC2086 # one word per phase
[ $# -gt 0 ] || set -- $PHASES
status=0
summary=""
for p in "$@"; do
	t0=$(uptime_s)
	if run_phase "$p" "phase_$p"; then
		summary="$summary $p ok ($(since "$t0") s),"
	else
		summary="$summary $p FAILED ($(since "$t0") s),"
		status=1
	fi
done
echo "guest:${summary%,}"
exit $status
