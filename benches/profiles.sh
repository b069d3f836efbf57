#!/usr/bin/env bash
# The W3, W3i, W4, W5i and W5 rows of benches/workloads (and W3 try_train_step ÷ train_step) under
# several build profiles, in one go, as one table. Each profile builds in its own target
# directory (target/profiles/NAME), so re-running does not rebuild the others.
#
#   bash benches/profiles.sh                 # every profile below
#   bash benches/profiles.sh fat-1 s-fat-1   # some of them
#   TYPENET_BENCH_QUICK=1 bash benches/profiles.sh   # short runs (noisier)
#   bash benches/profiles.sh --check s-fat-1  # build only; fail unless every twin is AVX
#
# Each row also says whether typenet's AVX2 kernel twins really hold AVX2 code: it counts
# the twins in the bench binary's disassembly and those that multiply whole ymm registers
# (vmulps/vmulpd on ymm; or take their maximum, vmaxps/vmaxpd, which is all the ReLU
# forward twin does); a twin without one is a wrapper around SSE or scalar code.
set -euo pipefail
cd "$(dirname "$0")/.."

# name | lto | codegen-units | opt-level | RUSTFLAGS
PROFILES=(
  "default|false|16|3|"
  "off-1|off|1|3|"
  "thin-1|thin|1|3|"
  "fat-1|fat|1|3|"
  "fat-16|fat|16|3|"
  "s-16|false|16|s|"
  "s-fat-1|fat|1|s|"
  "native-fat-1|fat|1|3|-C target-cpu=native"
)
ROWS="W3,W3i,W4,W5i,W5"
# candle's W3i time measured on this machine class by an outside harness (the bench has
# no candle); typenet's speed-up over it is computed from typenet's absolute time
CANDLE_W3I_NS=9000

check=0
if [[ "${1:-}" == --check ]]; then
  check=1
  shift
  if [[ "$(uname -m)" != x86_64 ]]; then
    echo "SKIPPED: the AVX2 twins exist on x86-64 only"
    exit 0
  fi
fi
wanted=("$@")
out=$(mktemp)
trap 'rm -f "$out"' EXIT

for p in "${PROFILES[@]}"; do
  IFS='|' read -r name lto cgu opt flags <<<"$p"
  if ((${#wanted[@]})) && [[ ! " ${wanted[*]} " == *" $name "* ]]; then
    continue
  fi
  export CARGO_TARGET_DIR="target/profiles/$name"
  export CARGO_PROFILE_BENCH_LTO="$lto" CARGO_PROFILE_BENCH_CODEGEN_UNITS="$cgu"
  export CARGO_PROFILE_BENCH_OPT_LEVEL="$opt" RUSTFLAGS="$flags"
  echo ">>> $name: lto=$lto codegen-units=$cgu opt-level=$opt RUSTFLAGS='$flags'" >&2
  log="$CARGO_TARGET_DIR/build.log"
  mkdir -p "$CARGO_TARGET_DIR"
  bin=$(cargo bench --bench workloads --no-run --message-format=json 2>"$log" |
    grep -o '"executable":"[^"]*workloads[^"]*"' | tail -n 1 | cut -d'"' -f4 || true)
  [[ -n "$bin" && -x "$bin" ]] || { cat "$log" >&2; echo "build failed for $name" >&2; exit 1; }
  # the AVX2 twins (functions named avx2 inside typenet::kernels), and how many of them
  # multiply ymm registers (or take their maximum)
  twins=$(objdump -d -C --no-show-raw-insn "$bin" | awk '
    /^[0-9a-f]+ <.*>:$/ { f = ($0 ~ /typenet::kernels::.*avx2/); if (f) { n++; cur = $0 } next }
    f && /v(mul|max)p[sd].*%ymm/ && !(cur in seen) { seen[cur] = 1; y++ }
    END { printf "%d/%d", y, n }')
  if [[ "$flags" == *native* || "$flags" == *avx2* ]]; then
    twins="base is AVX2"
  fi
  if ((check)); then
    echo "$name: AVX2 twins with ymm arithmetic: $twins"
    [[ "$twins" =~ ^([0-9]+)/([0-9]+)$ && ${BASH_REMATCH[1]} == "${BASH_REMATCH[2]}" && ${BASH_REMATCH[2]} -gt 0 ]] ||
      { echo "FAIL: $name has AVX2 twins without AVX2 arithmetic" >&2; exit 1; }
    continue
  fi
  TYPENET_BENCH_CLOCK="${TYPENET_BENCH_CLOCK:-thread}" TYPENET_BENCH_ROWS="$ROWS" "$bin" --bench | awk -v name="$name" -v twins="$twins" \
    '$1 == "row" || $1 == "checked" { print name "\t" twins "\t" $0 }' >>"$out"
done

((check)) && exit 0
awk -F'\t' -v candle="$CANDLE_W3I_NS" '
  function t(ns) { return ns >= 1e6 ? sprintf("%.3f ms", ns / 1e6) : sprintf("%.2f µs", ns / 1e3) }
  { k = $1; if (!(k in seen)) { seen[k] = 1; order[++n] = k; tw[k] = $2 } }
  $3 == "checked" { ck[k, $4] = $5 / $6; next }
  { id = $4; tn[k, id] = $5; pl[k, id] = $6; tu[k, id] = $7; gf[k, id] = $8 }
  END {
    print "| profile | AVX2 twins with ymm arithmetic | W3 typenet | W3 ÷ tuned | W3 checked ÷ W3 | W3i typenet | W3i ÷ tuned | candle W3i ÷ typenet | W4 typenet | W4 ÷ tuned | W4 GFLOP/s |"
    print "|---|---|---|---|---|---|---|---|---|---|---|"
    for (i = 1; i <= n; i++) {
      k = order[i]
      printf "| %s | %s | %s | %.2f× | %.2f× | %s | %.2f× | %.2f× | %s | %.2f× | %.1f |\n", k, tw[k],
        t(tn[k, "W3"]), tn[k, "W3"] / tu[k, "W3"], ck[k, "W3"],
        t(tn[k, "W3i"]), tn[k, "W3i"] / tu[k, "W3i"], candle / tn[k, "W3i"],
        t(tn[k, "W4"]), tn[k, "W4"] / tu[k, "W4"], gf[k, "W4"]
    }
    print ""
    print "| profile | W5i typenet | W5i plain | W5i ÷ plain | W5i GFLOP/s | W5 typenet | W5 plain | W5 ÷ plain | W5 GFLOP/s |"
    print "|---|---|---|---|---|---|---|---|---|"
    for (i = 1; i <= n; i++) {
      k = order[i]
      printf "| %s | %s | %s | %.2f× | %.1f | %s | %s | %.2f× | %.1f |\n", k,
        t(tn[k, "W5i"]), t(pl[k, "W5i"]), tn[k, "W5i"] / pl[k, "W5i"], gf[k, "W5i"],
        t(tn[k, "W5"]), t(pl[k, "W5"]), tn[k, "W5"] / pl[k, "W5"], gf[k, "W5"]
    }
    print ""
    print "typenet ÷ tuned below 1.00× means typenet is faster than the AVX2+FMA hand-written loop;"
    print "W5i and W5 (the DS-CNN block) compare with the plain hand-written loop (there is no tuned one)."
    print "W3 checked ÷ W3: try_train_step ÷ train_step, the cost of the checked step."
  }' "$out"
