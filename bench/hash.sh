#!/usr/bin/env bash
# hash.sh - the hashing phase of `make bench`: ltrack's file digest
# (hash_fd_sha256, driven by ./hashbench) against `openssl dgst -sha256` on
# the same file, both pinned to one core, with the file in the page cache.
# Prints each run and the ratio of the median speeds (ltrack / openssl);
# issue 4's target is >= 0.90.
#
# usage: ./hash.sh [-s SIZE_MIB] [-r ROUNDS] [-c CPU] [-f FILE] [-k]
#   SIZE_MIB 1024 (default), ROUNDS 3, CPU 1; -f reuses FILE (else one is
#   made in $TMPDIR and removed at the end unless -k).
# Both are timed the same way, as whole processes (wall clock): openssl's
# start-up (a few ms) is under 1% of a 1 GiB digest.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SIZE_MIB=${SIZE_MIB:-1024}
ROUNDS=${ROUNDS:-3}
CPU=${HASH_CPU:-1}
FILE=
KEEP=0
usage() { awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 2; }
while getopts "s:r:c:f:kh" o; do
  case $o in
    s) SIZE_MIB=$OPTARG ;; r) ROUNDS=$OPTARG ;; c) CPU=$OPTARG ;; f) FILE=$OPTARG ;;
    k) KEEP=1 ;; *) usage ;;
  esac
done
[[ $SIZE_MIB =~ ^[1-9][0-9]*$ && $ROUNDS =~ ^[1-9][0-9]*$ ]] || usage
[[ -x $HERE/hashbench ]] || { echo "hash.sh: build ./hashbench first (make hashbench)" >&2; exit 1; }
command -v openssl >/dev/null || { echo "hash.sh: openssl is missing" >&2; exit 1; }

if [[ -z $FILE ]]; then
  FILE=$(mktemp "${TMPDIR:-/tmp}/ltbench-hash.XXXXXX")
  [[ $KEEP == 1 ]] || trap 'rm -f "$FILE"' EXIT
  head -c $((SIZE_MIB << 20)) /dev/urandom >"$FILE"
fi
BYTES=$(stat -c %s "$FILE")
cat "$FILE" >/dev/null      # warm the page cache

now() { date +%s%N; }
lt=() os=()
want=$(openssl dgst -sha256 -r "$FILE" | cut -d' ' -f1)
for ((i = 1; i <= ROUNDS; i++)); do
  t0=$(now); out=$(taskset -c "$CPU" "$HERE/hashbench" "$FILE"); t1=$(now)
  [[ ${out%% *} == "$want" ]] || { echo "hash.sh: digests differ: $out vs $want" >&2; exit 1; }
  lt+=($((t1 - t0)))
  t0=$(now); taskset -c "$CPU" openssl dgst -sha256 "$FILE" >/dev/null; t1=$(now)
  os+=($((t1 - t0)))
  printf 'round %d: ltrack %.3f s, openssl %.3f s\n' "$i" "${lt[-1]}e-9" "${os[-1]}e-9"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
mlt=$(median "${lt[@]}"); mos=$(median "${os[@]}")
awk -v b="$BYTES" -v l="$mlt" -v o="$mos" -v c="$CPU" 'BEGIN {
  printf "sha256 of %.0f MiB on cpu %s (page cache): ltrack %.0f MB/s, openssl dgst %.0f MB/s\n",
         b / 1048576, c, b / l * 1000, b / o * 1000
  r = o / l
  printf "ratio ltrack/openssl: %.2f (target >= 0.90: %s)\n", r, (r >= 0.90) ? "met" : "NOT met"
}'
