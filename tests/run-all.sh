#!/bin/sh
# run-all.sh BUILD UNIT_BIN... - every suite: unit (cmocka), BPF helpers, end to end.
# Prints one closing line "N passed, N failed" over all suites' test cases.
set -u
build=$1
shift
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

echo "== unit tests"
for t in "$@"; do
	CMOCKA_MESSAGE_OUTPUT=stdout "$t" 2>&1 | tee -a "$log" || status=1
done

if [ "$(id -u)" = 0 ]; then
	echo "== end-to-end tests (real BPF programs, real syscalls)"
	LTRACK="$PWD/$build/ltrack" HELPER="$PWD/$build/tests/e2e-helper" \
		python3 tests/e2e/run.py 2>&1 | tee -a "$log" || status=1
else
	echo "== end-to-end tests skipped: they need root" | tee -a "$log"
	status=1
fi

# cmocka: "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)..." ; e2e: "e2e: N passed, N failed"
p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p; s/^e2e: \([0-9]*\) passed.*/\1/p' "$log" |
	awk '{s+=$1} END {print s+0}')
f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p; s/^e2e: [0-9]* passed, \([0-9]*\) failed.*/\1/p' "$log" |
	awk '{s+=$1} END {print s+0}')
[ "$f" -gt 0 ] && status=1
echo "$p passed, $f failed"
exit $status
