#!/bin/sh
# SPDX-License-Identifier: MIT
# scan-bench.sh [OUTDIR] - the scanner benchmark: the 640k-opcode torch-style
# state dict (20000 tensors, bench/gen_state_dict.py) scanned in-process by
# scan_bench (warm cache, no process start-up). Targets (issue 4): at least
# 30 M opcodes/s (50x picklescan's ~0.6 M/s) and under 20 ms for the file.
# Then the 2 GiB sparse PyTorch zip of tests/corpus/gen_models.py --big
# (target: under 20 ms, tensor data is never read) and the peak RSS of a
# scan of every file of the generated corpora, the hostile ones (zip bomb,
# huge headers, deep nesting) included (target: under 64 MB).
# Prints scan_bench's JSON lines and "scan-bench: PASS" or "FAIL"; exit 1 on FAIL.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/out/scan}
mkdir -p "$out"
build=${BUILD:-$here/../build}	# the build directory `make bench` uses (BUILD=...)
make -s -C "$here/.." BUILD="$build" "$build/libltrack.a"
make -s -C "$here" BUILD="$build" scan_bench
pkl=$out/state_dict_20000.pkl
[ -s "$pkl" ] || /usr/bin/python3 "$here/gen_state_dict.py" "$pkl" 20000
fail=0
if "$here/scan_bench" -n 30 -t 30000000 -m 20 "$pkl"; then
	echo "scan-bench: PASS pickle (>= 30 M opcodes/s, < 20 ms)"
else
	echo "scan-bench: FAIL pickle (target: >= 30 M opcodes/s, < 20 ms)"
	fail=1
fi
corpus=$out/corpus
if [ ! -s "$corpus/models/torch_2g_sparse.pt" ]; then
	mkdir -p "$corpus/models" "$corpus/pickles"
	/usr/bin/python3 "$here/../tests/corpus/gen_models.py" "$corpus/models" --big >/dev/null
	/usr/bin/python3 "$here/../tests/corpus/gen_pickles.py" "$corpus/pickles" >/dev/null
fi
if "$here/scan_bench" -n 20 -t 0 -m 20 "$corpus/models/torch_2g_sparse.pt"; then
	echo "scan-bench: PASS 2 GiB PyTorch zip (< 20 ms)"
else
	echo "scan-bench: FAIL 2 GiB PyTorch zip (target: < 20 ms)"
	fail=1
fi
# peak memory: each file in its own process (ru_maxrss, KiB)
peak=0
peak_file=
for f in "$corpus"/models/* "$corpus"/pickles/*; do
	[ -f "$f" ] || continue
	kb=$("$here/scan_bench" -n 1 -t 0 -m 1000000 "$f" 2>/dev/null |
		sed -n 's/.*"peak_rss_kb":\([0-9]*\).*/\1/p')
	[ -n "$kb" ] || continue
	if [ "$kb" -gt "$peak" ]; then peak=$kb; peak_file=$f; fi
done
if [ "$peak" -gt 0 ] && [ "$peak" -lt 65536 ]; then
	echo "scan-bench: PASS peak RSS $peak KiB over the corpora (< 64 MB; largest: $(basename "$peak_file"))"
else
	echo "scan-bench: FAIL peak RSS $peak KiB over the corpora (target < 64 MB; $(basename "$peak_file"))"
	fail=1
fi
exit $fail
