#!/usr/bin/env bash
# Builds the `fuzz` preset (clang++, libFuzzer + ASan + UBSan) and runs every target for
# the given number of seconds, one after the other (never in parallel: the machine is
# shared). New inputs go to build/fuzz/corpus/<target> (the committed seeds in
# fuzz/corpus/<target> are only read); crashes go to build/fuzz/artifacts/<target>/.
#
#   fuzz/run.sh [seconds=60] [target ...]
#
# Exit status: non-zero when a target crashed (its log is kept in build/fuzz/logs/).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(fuzz_program fuzz_figures fuzz_logic fuzz_csv)

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc 2>/dev/null || echo 2)"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
status=0
summary=()
for t in "${targets[@]}"; do
  work=build/fuzz/corpus/$t artifacts=build/fuzz/artifacts/$t log=build/fuzz/logs/$t.log
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  echo "== $t: ${seconds} s"
  rc=0
  build/fuzz/fuzz/$t -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$work" "fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  # The last status line ("#N ... cov: X ft: Y corp: ...") and the run count.
  stats=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
  cov=$(grep -oE 'cov: [0-9]+' <<<"$stats" | grep -oE '[0-9]+' || true)
  ft=$(grep -oE 'ft: [0-9]+' <<<"$stats" | grep -oE '[0-9]+' || true)
  line="$t: executions ${runs:-?}, cov ${cov:-?}, ft ${ft:-?}"
  if ((rc != 0)); then
    line+=" — CRASHED (exit $rc), see $log and $artifacts/"
    grep -E 'ERROR: |runtime error|terminate called|uncaught|Test unit written' "$log" | head -5 || true
    status=1
  fi
  echo "$line"
  summary+=("$line")
done
echo "== fuzz summary (${seconds} s each)"
printf '%s\n' "${summary[@]}"
exit "$status"
