#!/bin/sh
# SPDX-License-Identifier: MIT
# scan-bench.sh [OUTDIR] - the scanner benchmark: the 640k-opcode torch-style
# state dict (20000 tensors, bench/gen_state_dict.py) scanned in-process by
# scan_bench (warm cache, no process start-up). Targets (issue 4): at least
# 30 M opcodes/s (50x picklescan's ~0.6 M/s) and under 20 ms for the file.
# Prints scan_bench's JSON line and "scan-bench: PASS" or "FAIL"; exit 1 on FAIL.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/out/scan}
mkdir -p "$out"
make -s -C "$here/.." build/libltrack.a
make -s -C "$here" scan_bench
pkl=$out/state_dict_20000.pkl
[ -s "$pkl" ] || /usr/bin/python3 "$here/gen_state_dict.py" "$pkl" 20000
if "$here/scan_bench" -n 30 -t 30000000 -m 20 "$pkl"; then
	echo "scan-bench: PASS (>= 30 M opcodes/s, < 20 ms)"
else
	echo "scan-bench: FAIL (target: >= 30 M opcodes/s, < 20 ms)"
	exit 1
fi
