#!/bin/sh
# run-all.sh BUILD UNIT_BIN... -- BPF_TEST_BIN... - every suite: unit (cmocka),
# a fuzz smoke run (each libFuzzer harness for FUZZ_SMOKE_SECONDS, default 5;
# 0 skips it), BPF helpers (BPF_PROG_TEST_RUN, root), the verifier budget
# (`ltrack verify`, root), end to end (root).
# Prints one closing line "N passed, N failed" over all suites' test cases
# (a fuzz harness counts as one, and so does the verifier budget).
set -u
build=$1
shift
log=$(mktemp)
trap 'rm -f "$log" "$log.fuzz"' EXIT
status=0
fail_bin() { echo "FAILED: $1" >&2; status=1; }

echo "== unit tests"
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	out=$("$1" 2>&1) || fail_bin "$1"
	printf '%s\n' "$out" | tee -a "$log"
	shift
done
[ $# -gt 0 ] && shift

fuzz_s=${FUZZ_SMOKE_SECONDS:-5}
if [ "$fuzz_s" != 0 ]; then
	echo "== fuzz smoke (each harness for ${fuzz_s}s, ASan/UBSan)"
	rcf=$(mktemp)
	{
		make --no-print-directory -s -C tests/fuzz smoke FUZZ_SECONDS="$fuzz_s" \
			BUILD="$PWD/$build/fuzz"
		echo $? > "$rcf"
	} 2>&1 | tee "$log.fuzz"
	cat "$log.fuzz" >> "$log"
	if [ "$(cat "$rcf")" != 0 ]; then
		status=1
		# the harnesses did not build: no summary line, count the suite as failed
		grep -q '^fuzz: [0-9]* passed' "$log.fuzz" ||
			echo "fuzz: 0 passed, 1 failed (the harnesses did not build)" | tee -a "$log"
	fi
	rm -f "$rcf" "$log.fuzz"
fi

if [ "$(id -u)" = 0 ]; then
	echo "== BPF helper tests (in the kernel, via BPF_PROG_TEST_RUN)"
	for t in "$@"; do
		out=$("$t" 2>&1) || fail_bin "$t"
		printf '%s\n' "$out" | tee -a "$log"
	done
	echo "== verifier budget (ltrack verify: each BPF program loaded on its own)"
	rcf=$(mktemp)
	{
		"$PWD/$build/ltrack" verify
		echo $? > "$rcf"
	} 2>&1 | tee -a "$log"
	if [ "$(cat "$rcf")" = 0 ]; then
		echo "verify: 1 passed, 0 failed" | tee -a "$log"
	else
		echo "verify: 0 passed, 1 failed" | tee -a "$log"
		status=1
	fi
	rm -f "$rcf"
	echo "== end-to-end tests (real BPF programs, real syscalls)"
	rcf=$(mktemp)
	{
		LTRACK="$PWD/$build/ltrack" HELPER="$PWD/$build/tests/e2e-helper" \
			python3 tests/e2e/run.py
		echo $? > "$rcf"
	} 2>&1 | tee -a "$log"
	[ "$(cat "$rcf")" = 0 ] || status=1
	rm -f "$rcf"
else
	echo "== end-to-end tests skipped: they need root" | tee -a "$log"
	status=1
fi

# cmocka: "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)..." ;
# e2e, fuzz and verify: "e2e: N passed, N failed", "fuzz: ...", "verify: ..."
p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p
	s/^\(e2e\|fuzz\|verify\): \([0-9]*\) passed.*/\2/p' "$log" |
	awk '{s+=$1} END {print s+0}')
f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p
	s/^\(e2e\|fuzz\|verify\): [0-9]* passed, \([0-9]*\) failed.*/\2/p' "$log" |
	awk '{s+=$1} END {print s+0}')
[ "$f" -gt 0 ] && status=1
echo "$p passed, $f failed"
exit $status
