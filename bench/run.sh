#!/usr/bin/env bash
# run.sh - `make bench`: what ltrack costs on a syscall-heavy workload, and
# how many events it loses, side by side with its peers, in one run.
#
# For every round and every agent it runs the workload with no monitor, then
# the same workload under the agent, and takes the slowdown pair by pair, so
# slow drift of a shared machine cancels out. The agent order rotates each
# round. Before the rounds it measures ltrack's RSS after an idle period.
# See README.md for the method and the meaning of every column.
#
# usage: sudo ./run.sh [-r ROUNDS] [-p "AGENT ..."] [-s SCALE] [-w "WORKLOAD ARGS"]
#                      [-P split|same|none] [-o OUTDIR] [-D WL_PARENT_DIR]
#                      [-L LTRACK] [-i IDLE_S] [-k]
#   agents: ltrack-watch ltrack-unwatched ltrack-raw ltrack-nofan bpftrace-count
#           bpftrace-pair bpftrace libbpf-tools auditd
#           (default: all but ltrack-raw, ltrack-nofan and bpftrace-pair)
#   Each option also has an environment form: ROUNDS PEERS SCALE WL_ARGS PIN OUT
#   WLPARENT LTRACK IDLE_S.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
ROUNDS=${ROUNDS:-3}
PEERS=${PEERS:-"ltrack-watch ltrack-unwatched bpftrace-count bpftrace libbpf-tools auditd"}
SCALE=${SCALE:-1}
WL_ARGS=${WL_ARGS:-}
PIN=${PIN:-split}
OUT=${OUT:-}
WLPARENT=${WLPARENT:-}
LTRACK=${LTRACK:-$REPO/build/ltrack}
IDLE_S=${IDLE_S:-10}         # s of idling before ltrack's RSS is read
KEEP=0
READY_MAX=${READY_MAX:-40}   # s to wait for a monitor to finish starting
DRAIN_MAX=${DRAIN_MAX:-30}   # s to wait for a monitor to catch up after the workload
QUIET_PCT=${QUIET_PCT:-10}   # "quiet" = monitor below this % of one CPU for 2 x 0.5 s

usage() { awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 2; }
while getopts "r:p:s:w:P:o:D:L:i:kh" o; do
  case $o in
    r) ROUNDS=$OPTARG ;; p) PEERS=${OPTARG//,/ } ;; s) SCALE=$OPTARG ;;
    w) WL_ARGS=$OPTARG ;; P) PIN=$OPTARG ;; o) OUT=$OPTARG ;; D) WLPARENT=$OPTARG ;;
    L) LTRACK=$OPTARG ;; i) IDLE_S=$OPTARG ;; k) KEEP=1 ;; *) usage ;;
  esac
done

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
[[ $EUID -eq 0 ]] || die "run as root (monitors need CAP_BPF/CAP_AUDIT_CONTROL)"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "rounds must be a positive integer, not '$ROUNDS'"

OUT=${OUT:-$HERE/out/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT/runs" || die "cannot create $OUT"
OUT=$(cd "$OUT" && pwd)
RESULTS=$OUT/results.jsonl
: >"$RESULTS"
TCK=$(getconf CLK_TCK)

case $PIN in
  split) WL_PIN=(taskset -c 1); MON_PIN=(taskset -c 0) ;;
  same)  WL_PIN=(taskset -c 1); MON_PIN=(taskset -c 1) ;;
  none)  WL_PIN=(); MON_PIN=() ;;
  *) die "-P must be split, same or none" ;;
esac

# ------------------------------------------------------------------ state --
MON_PIDS=()          # monitor processes of the current run
KTHREAD_PID=""       # kernel helper thread whose CPU we also report (kauditd)
MOUNTED=""
AUDIT_LOADED=0
AUDIT_ORIG=()        # enabled backlog_limit backlog_wait_time failure
AUDIT_LOST0=0
AUDIT_LOST_DELTA=0
declare -A FAILED=() # agent -> error text

stop_pids() {  # SIGINT, then SIGTERM, then SIGKILL; reaps our children
  local sig=${STOP_SIG:-INT} p i
  for p in "$@"; do kill -"$sig" "$p" 2>/dev/null; done
  for i in $(seq 1 60); do
    local alive=0
    for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
    ((alive)) || break
    ((i == 30)) && for p in "$@"; do kill -TERM "$p" 2>/dev/null; done
    sleep 0.5
  done
  for p in "$@"; do kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null; done
  for p in "$@"; do wait "$p" 2>/dev/null; done
  return 0
}

audit_restore() {
  ((AUDIT_LOADED)) || return 0
  local k
  for k in wl_exec wl_open wl_conn wl_ren wl_unl; do auditctl -D -k "$k" >/dev/null 2>&1; done
  if ((${#AUDIT_ORIG[@]} == 4)); then
    auditctl -e "${AUDIT_ORIG[0]}" -b "${AUDIT_ORIG[1]}" --backlog_wait_time "${AUDIT_ORIG[2]}" \
      -f "${AUDIT_ORIG[3]}" >/dev/null 2>&1
  fi
  AUDIT_LOADED=0
}

cleanup() {
  ((${#MON_PIDS[@]})) && stop_pids "${MON_PIDS[@]}"
  MON_PIDS=()
  audit_restore
  if [[ -n $MOUNTED ]]; then
    umount "$MOUNTED" 2>/dev/null || { sleep 1; umount -l "$MOUNTED"; }
    rmdir "$MOUNTED" 2>/dev/null
    MOUNTED=""
  fi
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ---------------------------------------------------------------- helpers --
cpu_ticks() {  # utime+stime (or only utime with FIELD=u) of the given pids, in ticks
  local p s f t=0
  for p in "$@"; do
    { s=$(<"/proc/$p/stat"); } 2>/dev/null || continue
    s=${s##*) }
    read -ra f <<<"$s"
    if [[ ${FIELD:-} == u ]]; then t=$((t + f[11])); else t=$((t + f[11] + f[12])); fi
  done
  echo "$t"
}
status_kb() {  # sum of a /proc/PID/status field (VmHWM, VmRSS) in kB
  local key=$1 p t=0 v
  shift
  for p in "$@"; do
    v=$(awk -v k="$key:" '$1 == k {print $2}' "/proc/$p/status" 2>/dev/null)
    t=$((t + ${v:-0}))
  done
  echo "$t"
}
alive() { local p; for p in "$@"; do kill -0 "$p" 2>/dev/null || return 1; done; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }
ticks_s() { awk -v a="$1" -v b="$2" -v t="$TCK" 'BEGIN {printf "%.3f", (b - a) / t}'; }

# wait until the monitor's CPU use stays below QUIET_PCT for two 0.5 s windows
# (and MIN seconds passed, and the agent's own drained() check, if any, agrees)
wait_quiet() {
  local max=$1 min=$2 drained=${3:-true} t0 prev cur quiet=0
  local thr=$((TCK * QUIET_PCT / 200))  # ticks per 0.5 s
  t0=$(date +%s)
  prev=$(cpu_ticks "${MON_PIDS[@]}")
  while :; do
    sleep 0.5
    alive "${MON_PIDS[@]}" || return 1
    cur=$(cpu_ticks "${MON_PIDS[@]}")
    if ((cur - prev <= thr)) && $drained; then quiet=$((quiet + 1)); else quiet=0; fi
    prev=$cur
    local el=$(($(date +%s) - t0))
    ((quiet >= 2 && el >= min)) && return 0
    ((el >= max)) && return 2
  done
}

# Other monitors running on the machine (not ours) skew both sides of a pair;
# they are recorded per run and flagged in the table.
foreign_monitors() {
  local p c ours=" ${MON_PIDS[*]:-} "
  for p in $(for c in ltrack ltrack-bench bpftrace auditd opensnoop execsnoop tcpstates falco tetragon; do
               pgrep -x "$c"; done); do
    [[ $ours == *" $p "* ]] && continue
    c=$(cat "/proc/$p/comm" 2>/dev/null) || continue
    echo "$p:$c"
  done
}

run_workload() {  # $1 = run dir
  foreign_monitors >"$1/foreign.txt"
  "${WL_PIN[@]}" "$OUT/ltbench-wl" -d "$WLPARENT" -s "$SCALE" $WL_ARGS >"$1/wl.json" 2>"$1/wl.err"
  foreign_monitors >>"$1/foreign.txt"
}

# ----------------------------------------------------------------- agents --
# Each agent: start_<agent> DIR (sets MON_PIDS), optional drained_<agent>,
# stop_<agent> DIR (default: stop_pids), and a counter in benchlib.py.

# ltrack: a copy of the binary under test, named ltrack-bench, so a rebuild
# during the run cannot change it and `pkill -x ltrack` elsewhere cannot stop it.
LTRACK_BIN=$OUT/ltrack-bench
WATCH_DIR=""        # set once WLPARENT is known
UNWATCHED_DIR=$OUT/unwatched-empty

start_ltrack() {  # run dir, then ltrack arguments; waits for "ready:" on stderr
  local d=$1 i
  shift
  "${MON_PIN[@]}" env ${LT_ENV:-} "$LTRACK_BIN" "$@" --output "$d/ltrack.out" >"$d/ltrack.stdout" 2>"$d/ltrack.err" &
  MON_PIDS=($!)
  for i in $(seq 1 $((READY_MAX * 4))); do
    grep -q 'ready:' "$d/ltrack.err" 2>/dev/null && return 0
    alive "${MON_PIDS[@]}" || { echo "ltrack exited before ready" >>"$d/ltrack.err"; return 1; }
    sleep 0.25
  done
  echo "ltrack not ready after ${READY_MAX}s" >>"$d/ltrack.err"
  return 1
}
start_ltrack_watch() {
  start_ltrack "$1" --config "$HERE/peers/ltrack-watch.toml" --format json \
    --watch "open,create,delete,rename=$WATCH_DIR"
}
start_ltrack_unwatched() {
  start_ltrack "$1" --watch "open=$UNWATCHED_DIR" --format json
}
start_ltrack_nofan() {  # ltrack-watch without fanotify's exec marks ([hashing] fanotify)
  { cat "$HERE/peers/ltrack-watch.toml"; printf '\n[hashing]\nfanotify = false\n'; } >"$1/nofan.toml"
  start_ltrack "$1" --config "$1/nofan.toml" --format json \
    --watch "open,create,delete,rename=$WATCH_DIR"
}
start_ltrack_raw() {  # the unwatched agent with the raw sys_exit dispatch
  LT_ENV=LTRACK_DISPATCH=raw start_ltrack "$1" --watch "open=$UNWATCHED_DIR" --format json
}

start_bpftrace() {
  "${MON_PIN[@]}" bpftrace -B full -o "$1/bpftrace.out" "$HERE/peers/bpftrace-sec.bt" \
    >"$1/bpftrace.err" 2>&1 &
  MON_PIDS=($!)
}

start_bpftrace_count() {
  "${MON_PIN[@]}" bpftrace -B full -o "$1/bpftrace.out" "$HERE/peers/bpftrace-count.bt" \
    >"$1/bpftrace.err" 2>&1 &
  MON_PIDS=($!)
}

start_bpftrace_pair() {
  "${MON_PIN[@]}" bpftrace -B full -o "$1/bpftrace.out" "$HERE/peers/bpftrace-pair.bt" \
    >"$1/bpftrace.err" 2>&1 &
  MON_PIDS=($!)
}

start_libbpf_tools() {
  local t
  MON_PIDS=()
  for t in opensnoop execsnoop tcpstates; do
    "${MON_PIN[@]}" "/usr/sbin/$t" >"$1/$t.out" 2>"$1/$t.err" &
    MON_PIDS+=($!)
  done
}

audit_field() { auditctl -s | awk -v k="$1" '$1 == k {print $2}'; }
start_auditd() {
  local d=$1 cfg=$1/audit-cfg i
  mkdir -p "$cfg/plugins.d"
  # Debian's auditd.conf, with the log in the run dir, no rotation, no plugins
  sed -e "s#^log_file = .*#log_file = $d/audit.log#" \
      -e 's#^max_log_file = .*#max_log_file = 0#' \
      -e 's#^max_log_file_action = .*#max_log_file_action = IGNORE#' \
      -e 's#^space_left = .*#space_left = 2#' \
      -e 's#^admin_space_left = .*#admin_space_left = 1#' \
      -e "s#^plugin_dir = .*#plugin_dir = $cfg/plugins.d#" \
      /etc/audit/auditd.conf >"$cfg/auditd.conf"
  chmod 0640 "$cfg/auditd.conf"
  AUDIT_ORIG=("$(audit_field enabled)" "$(audit_field backlog_limit)" \
              "$(audit_field backlog_wait_time)" "$(audit_field failure)")
  "${MON_PIN[@]}" auditd -n -c "$cfg" >"$d/auditd.err" 2>&1 &
  MON_PIDS=($!)
  AUDIT_LOADED=1
  for i in $(seq 1 40); do
    [[ $(audit_field pid) == "${MON_PIDS[0]}" ]] && break
    sleep 0.25
  done
  [[ $(audit_field pid) == "${MON_PIDS[0]}" ]] || { echo "auditd did not register" >>"$d/auditd.err"; return 1; }
  auditctl -R "$HERE/peers/audit.rules" >"$d/auditctl.out" 2>&1 || return 1
  KTHREAD_PID=$(pgrep -x kauditd | head -1)
  AUDIT_LOST0=$(audit_field lost)
}
drained_auditd() { [[ $(audit_field backlog) == 0 ]]; }
stop_auditd() {
  local k
  for k in wl_exec wl_open wl_conn wl_ren wl_unl; do auditctl -D -k "$k" >/dev/null 2>&1; done
  AUDIT_LOST_DELTA=$(($(audit_field lost) - AUDIT_LOST0))
  STOP_SIG=TERM stop_pids "${MON_PIDS[@]}"
  audit_restore
}

agent_fn() { echo "${2}_${1//-/_}"; }

write_mon() {  # run dir, then key=value pairs (numbers or quoted JSON strings)
  local d=$1 kv s="" first=1
  shift
  for kv in "$@"; do
    ((first)) || s+=","
    s+="\"${kv%%=*}\":${kv#*=}"
    first=0
  done
  echo "{$s}" >"$d/mon.json"
}

json_str() { python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$1"; }
wl_total() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total_s"], "s")' "$1" 2>/dev/null || echo FAILED; }

count_run() {  # agent dir round pair
  python3 "$HERE/benchlib.py" count --peer "$1" --dir "$2" --round "$3" --pair "$4" >>"$RESULTS"
}

run_baseline() {  # round id
  local d=$OUT/runs/$2-baseline
  mkdir -p "$d"
  run_workload "$d"
  write_mon "$d" status='"ok"'
  count_run baseline "$d" "$1" "$2"
  log "round $1 $2 baseline: $(wl_total "$d/wl.json")"
}

run_peer() {  # agent round id
  local peer=$1 r=$2 id=$3 d=$OUT/runs/$3-$1 t0 ready drain c0 c1 u0 u1 k0=0 k1=0 hwm rss
  local st=ok err=""
  mkdir -p "$d"
  KTHREAD_PID=""; AUDIT_LOST_DELTA=0
  t0=$(now)
  if ! $(agent_fn "$peer" start) "$d" || ! wait_quiet "$READY_MAX" 2; then
    st=failed
    err=$(cat "$d"/*.err 2>/dev/null | grep -v RLIMIT_MEMLOCK | grep -iE 'error|unable|cannot|fail|not ' |
          head -n 3 | tr '\n' '|' | sed 's/|$//; s/|/ | /g')
  fi
  ready=$(secs "$t0" "$(now)")
  if [[ $st == ok ]]; then
    c0=$(cpu_ticks "${MON_PIDS[@]}")
    u0=$(FIELD=u cpu_ticks "${MON_PIDS[@]}")
    [[ -n $KTHREAD_PID ]] && k0=$(cpu_ticks "$KTHREAD_PID")
    run_workload "$d"
    t0=$(now)
    local dfn
    dfn=$(agent_fn "$peer" drained)
    declare -F "$dfn" >/dev/null || dfn=true
    wait_quiet "$DRAIN_MAX" 1 "$dfn"
    case $? in 1) st=died; err="monitor died during the run" ;; 2) err="drain timeout after ${DRAIN_MAX}s" ;; esac
    drain=$(secs "$t0" "$(now)")
    c1=$(cpu_ticks "${MON_PIDS[@]}")
    u1=$(FIELD=u cpu_ticks "${MON_PIDS[@]}")
    [[ -n $KTHREAD_PID ]] && k1=$(cpu_ticks "$KTHREAD_PID")
    hwm=$(status_kb VmHWM "${MON_PIDS[@]}")
    rss=$(status_kb VmRSS "${MON_PIDS[@]}")
  fi
  local sfn
  sfn=$(agent_fn "$peer" stop)
  if declare -F "$sfn" >/dev/null; then $sfn "$d"; else stop_pids "${MON_PIDS[@]}"; fi
  MON_PIDS=()
  if [[ $st == ok ]]; then
    local kt=null
    [[ -n $KTHREAD_PID ]] && kt=$(ticks_s "$k0" "$k1")
    write_mon "$d" status='"ok"' cpu_s="$(ticks_s "$c0" "$c1")" cpu_user_s="$(ticks_s "$u0" "$u1")" \
      startup_cpu_s="$(ticks_s 0 "$c0")" \
      hwm_kb="$hwm" rss_kb="$rss" ready_s="$ready" drain_s="$drain" kthread_cpu_s="$kt" \
      kernel_lost_delta="${AUDIT_LOST_DELTA:-0}" note="$(json_str "$err")"
  else
    write_mon "$d" status="\"$st\"" error="$(json_str "${err:-monitor exited}")"
    FAILED[$peer]=${err:-monitor exited}
  fi
  count_run "$peer" "$d" "$r" "$id"
  if [[ $st == ok ]]; then
    log "round $r $id $peer: $(wl_total "$d/wl.json") (ready ${ready}s, drain ${drain}s)"
  else
    log "round $r $id $peer: $st: ${err:-monitor exited}"
  fi
  if ((!KEEP)); then
    rm -f "$d"/*.out "$d"/audit.log*
  fi
}

# ltrack on the idle-policy, untouched for IDLE_S seconds: RSS and CPU at rest
measure_idle() {
  local d=$OUT/idle policy=$REPO/policy.toml c0 c1 u0 u1 t0 t1 st=ok
  [[ -f $policy ]] || policy=$HERE/peers/ltrack-idle.toml
  mkdir -p "$d"
  if start_ltrack "$d" --config "$policy" && wait_quiet "$READY_MAX" 1; then
    c0=$(cpu_ticks "${MON_PIDS[@]}"); u0=$(FIELD=u cpu_ticks "${MON_PIDS[@]}"); t0=$(now)
    sleep "$IDLE_S"
    c1=$(cpu_ticks "${MON_PIDS[@]}"); u1=$(FIELD=u cpu_ticks "${MON_PIDS[@]}"); t1=$(now)
    alive "${MON_PIDS[@]}" || st=died
  else
    st=failed
  fi
  if [[ $st == ok ]]; then
    write_mon "$d" status='"ok"' policy="$(json_str "$policy")" idle_s="$(secs "$t0" "$t1")" \
      rss_kb="$(status_kb VmRSS "${MON_PIDS[@]}")" hwm_kb="$(status_kb VmHWM "${MON_PIDS[@]}")" \
      cpu_s="$(ticks_s "$c0" "$c1")" cpu_user_s="$(ticks_s "$u0" "$u1")"
  else
    write_mon "$d" status="\"$st\"" policy="$(json_str "$policy")" \
      error="$(json_str "$(tail -n 3 "$d/ltrack.err" 2>/dev/null | tr '\n' ' ')")"
  fi
  ((${#MON_PIDS[@]})) && stop_pids "${MON_PIDS[@]}"
  MON_PIDS=()
  cp "$d/mon.json" "$OUT/idle.json"
  log "idle: $(cat "$OUT/idle.json")"
  ((KEEP)) || rm -f "$d"/*.out
}

settle() { sync; sleep 1; }

# -------------------------------------------------------------- preflight --
if [[ ! -d /sys/kernel/tracing/events/syscalls ]]; then
  mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
  [[ -d /sys/kernel/tracing/events/syscalls ]] || log "WARNING: no syscall tracepoints in tracefs"
fi
gcc -O2 -std=gnu11 -Wall -Wextra -pthread -o "$OUT/ltbench-wl" "$HERE/workload.c" ||
  die "workload build failed"

NEED_LTRACK=0
PLIST=()
for p in $PEERS; do
  case $p in
    ltrack-watch|ltrack-unwatched|ltrack-raw|ltrack-nofan)
      [[ -x $LTRACK ]] || { log "skip $p: no ltrack binary at $LTRACK (make first)"; continue; }
      NEED_LTRACK=1 ;;
    bpftrace|bpftrace-count|bpftrace-pair) command -v bpftrace >/dev/null || { log "skip $p: not installed"; continue; } ;;
    libbpf-tools) [[ -x /usr/sbin/opensnoop && -x /usr/sbin/execsnoop && -x /usr/sbin/tcpstates ]] ||
                    { log "skip libbpf-tools: not installed"; continue; } ;;
    auditd)
      command -v auditd >/dev/null || { log "skip auditd: not installed"; continue; }
      if [[ $(audit_field pid) != 0 ]] || [[ $(auditctl -l 2>&1) != "No rules" ]]; then
        log "skip auditd: an audit daemon or audit rules are already active; not touching them"
        continue
      fi ;;
    *) die "unknown agent $p" ;;
  esac
  PLIST+=("$p")
done
((${#PLIST[@]})) || die "no agent to run"
if [[ -x $LTRACK ]]; then
  cp "$LTRACK" "$LTRACK_BIN" || die "cannot copy $LTRACK"
fi

if [[ -z $WLPARENT ]]; then
  # a private tmpfs: ext4 rename/unlink cost varied 2-4x run to run
  WLPARENT=$OUT/wl-tmpfs
  mkdir -p "$WLPARENT"
  mount -t tmpfs -o size=256m,mode=0755 bench-wl "$WLPARENT" || die "tmpfs mount failed"
  MOUNTED=$WLPARENT
fi
mkdir -p "$WLPARENT" "$UNWATCHED_DIR"
# ltrack-watch watches the parent: the workload's mkdtemp dir is created
# inside it during the run, and watches are recursive
WATCH_DIR=$(cd "$WLPARENT" && pwd)

{
  echo "date: $(date -u +%FT%TZ)"
  echo "host: $(nproc) CPUs, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)," \
       "$(awk '/^MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)," \
       "$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo "pin: $PIN  scale: $SCALE  wl_args: $WL_ARGS  rounds: $ROUNDS"
  # run-time statistics add two clock reads to every BPF program run (~+90 ns per hooked call here)
  echo "kernel.bpf_stats_enabled: $(cat /proc/sys/kernel/bpf_stats_enabled 2>/dev/null || echo '?')"
  echo "agents: ${PLIST[*]}"
  echo "wl dir: $WLPARENT ($(findmnt -no FSTYPE -T "$WLPARENT"))"
  echo "ltrack: $LTRACK ($("$LTRACK_BIN" --version 2>/dev/null | head -1), copied to $LTRACK_BIN)"
  echo "bpftrace: $(bpftrace --version 2>/dev/null)"
  echo "libbpf-tools: $(dpkg-query -W -f '${Version}' libbpf-tools 2>/dev/null)"
  echo "auditd: $(dpkg-query -W -f '${Version}' auditd 2>/dev/null)"
  echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/env.txt"
log "output in $OUT; agents: ${PLIST[*]}; pin=$PIN scale=$SCALE rounds=$ROUNDS"

# ------------------------------------------------------------------- main --
((NEED_LTRACK)) && measure_idle
n=0
for ((r = 1; r <= ROUNDS; r++)); do
  k=${#PLIST[@]}
  for ((i = 0; i < k; i++)); do
    p=${PLIST[$(((i + r - 1) % k))]}   # rotate the order each round
    if [[ -n ${FAILED[$p]:-} ]]; then continue; fi
    n=$((n + 1))
    id=$(printf 'r%d-%02d' "$r" "$n")
    run_baseline "$r" "$id"
    settle
    run_peer "$p" "$r" "$id"
    settle
  done
done
echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/env.txt"

python3 "$HERE/benchlib.py" table "$RESULTS" --idle "$OUT/idle.json" --env "$OUT/env.txt" \
  --csv "$OUT/results.csv" | tee "$OUT/table.txt"
for p in "${!FAILED[@]}"; do echo "$p failed: ${FAILED[$p]}"; done | tee -a "$OUT/table.txt"
log "raw results: $OUT/results.jsonl, $OUT/results.csv, $OUT/table.txt"
