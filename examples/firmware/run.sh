#!/usr/bin/env bash
# Builds the firmware for an emulated Cortex-M3 and Cortex-M4F (and the digits binaries
# for a Cortex-M0 too), runs every binary under QEMU, compares its stdout with the golden
# file the host test wrote, measures its footprint, checks the budgets, and counts the
# instructions one digits inference executes, in f32 and in int8. Every binary is linked with `panic-never` (feature
# `nopanic`), so a panic branch left anywhere in it is a link error.
#
#   examples/firmware/run.sh            # everything; exit 1 on any failure
#   TYPENET_BLESS=1 examples/firmware/run.sh   # the same, rewriting docs/firmware-sizes.md
#
# The footprint table lives in docs/firmware-sizes.md, which this script writes: the run
# fails if the committed file differs from the figures it measured.
#
# It installs what it needs: the two Rust targets (rustup) and QEMU + binutils (apt).
# If those cannot be installed, it prints one `SKIPPED: ...` line and exits 0: a machine
# without the tools is not a failure of the firmware. Anything else that goes wrong
# (build, link, run, golden, budget) exits 1.
set -euo pipefail
cd "$(dirname "$0")"

TARGETS=(thumbv7m-none-eabi thumbv7em-none-eabihf thumbv6m-none-eabi)
BINS=(xor fit load sine nopanic digits_f32 digits_int8 int8_layers)
# The Cortex-M0 (QEMU's microbit, 16K RAM, no FPU) runs the digits network, f32 and int8,
# and every int8 layer once (`int8_layers`: with panic-never, none of them can panic).
M0_BINS=(digits_f32 digits_int8 int8_layers)
# The binaries whose instructions per inference are counted.
COUNTED=(digits_f32 digits_int8)
# Binaries for the Cortex-M4F only (appended to BINS below).
M4F_ONLY=()
bins_for() {
  case $1 in
    thumbv6m-*) echo "${M0_BINS[@]}" ;;
    thumbv7em-*) echo "${BINS[@]}" ;;
    *)
      local b
      for b in "${BINS[@]}"; do
        [[ " ${M4F_ONLY[*]} " == *" $b "* ]] || echo -n "$b "
      done
      ;;
  esac
}
# Integer-only images: no software floating-point routine at all (`__aeabi_f*` or
# `__aeabi_d*`), which also shows that nothing in their int8 path computes in floats.
INT_ONLY=(digits_int8)
# Instructions per inference, counted under QEMU: "target machine".
COUNT_ON=("thumbv6m-none-eabi microbit" "thumbv7m-none-eabi lm3s6965evb")
# Test images each digits binary runs (digits.rs).
DIGITS_IMAGES=10
# --- cnn, cnn_fit: the convolutional digits classifier and a conv net trained on the
# device (docs/firmware.md); their rows come last.
BINS+=(cnn cnn_fit)
# No image may link a software double-precision routine (`__aeabi_d*`). `fit` trains with
# `Trainer` and `clip_grad_norm`, which summed losses and squared gradients in f64 until
# they moved to compensated f32 sums: that linked __aeabi_dadd/dmul/dcmp*/d2f, and `fit`
# measured 11396 B of flash on the M3 and 10428 B on the M4F, against 9924 B and 8228 B
# now (-1472 B and -2200 B, the new non-finite checks included).
# Budgets in bytes: "bin target what limit". flash = text + data; ram = data + bss + peak stack.
BUDGETS=(
  "nopanic thumbv7em-none-eabihf flash 4096"
  "nopanic thumbv7m-none-eabi flash 6144"
  "sine thumbv7m-none-eabi flash 8192"
  "sine thumbv7m-none-eabi ram 2048"
  "fit thumbv7m-none-eabi flash 10240"
  "fit thumbv7m-none-eabi ram 2048"
  "load thumbv7m-none-eabi ram 1024"
  "digits_int8 thumbv6m-none-eabi flash 8192"
  "digits_int8 thumbv6m-none-eabi ram 1024"
  "digits_f32 thumbv6m-none-eabi ram 2048"
)
# --- cnn: weights (7.4 KiB) and 16 test images in flash, activations on the stack.
BUDGETS+=(
  "cnn thumbv7m-none-eabi flash 20480"
  "cnn thumbv7m-none-eabi ram 8192"
  "cnn_fit thumbv7m-none-eabi ram 16384"
)
# --- tflite_sine, tflite_speech: the `microflow` crate's sine.tflite and speech.tflite
# imported with `include_tflite!` (docs/tflite.md, "Side by side with MicroFlow"). They
# print nothing but the stack line: the exit status says whether all eight outputs equal
# LiteRT's. Budgets: under MicroFlow's own programs on the M3 (microflow/compare.sh:
# 4928 B and 27988 B of flash, 428 B and 16296 B of stack), speech in 8 KiB of RAM.
BINS+=(tflite_sine tflite_speech)
EXIT_ONLY=(tflite_sine tflite_speech)
BUDGETS+=(
  "tflite_sine thumbv7m-none-eabi flash 4928"
  "tflite_speech thumbv7m-none-eabi flash 27988"
  "tflite_speech thumbv7m-none-eabi ram 8192"
)
# --- tflite_person: the `microflow` crate's person_detect.tflite (300 KB), on the M4F only
# (mps2-an386, linked with memory/m4f-4m.x: 4M of flash and RAM). Eight inferences on
# three recorded images; the exit status says whether all 16 outputs equal LiteRT's. Its
# build takes about 20 s and its run under 1 s. Budget: static RAM plus peak stack within
# 256 KiB, a 256 KB-RAM chip. Its instructions per inference are not counted here (the
# trace of one inference takes about two minutes): docs/tflite.md gives the figure.
BINS+=(tflite_person)
M4F_ONLY+=(tflite_person)
EXIT_ONLY+=(tflite_person)
BUDGETS+=("tflite_person thumbv7em-none-eabihf ram 262144")
# Instructions per inference of these two on the M3 (8 inferences minus 0, over 8), and
# the most speech may take: 2 million, 6 per multiply-add (336 000 of them).
TFLITE_COUNTED=(tflite_sine tflite_speech)
SPEECH_INSNS_BUDGET=2000000
# Every run is bounded: a misconfigured image hangs QEMU instead of failing.
RUN_TIMEOUT=120

skip() {
  echo "SKIPPED: firmware on QEMU because $*"
  exit 0
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

# --- tools -----------------------------------------------------------------------------
sysroot=$(rustc --print sysroot)
missing=()
for t in "${TARGETS[@]}"; do
  [ -d "$sysroot/lib/rustlib/$t/lib" ] || missing+=("$t")
done
if [ ${#missing[@]} -gt 0 ]; then
  command -v rustup >/dev/null || skip "the Rust targets ${missing[*]} are missing and there is no rustup"
  rustup target add "${missing[@]}" || skip "'rustup target add ${missing[*]}' failed"
fi

if ! command -v qemu-system-arm >/dev/null || ! command -v arm-none-eabi-size >/dev/null ||
  ! command -v arm-none-eabi-nm >/dev/null; then
  command -v apt-get >/dev/null || skip "qemu-system-arm / arm-none-eabi-size are missing and there is no apt-get"
  { as_root apt-get update -qq &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      qemu-system-arm binutils-arm-none-eabi >/dev/null; } ||
    skip "installing qemu-system-arm and binutils-arm-none-eabi with apt-get failed"
fi
qemu-system-arm --version | head -n1

# --- lint ------------------------------------------------------------------------------
# The library's workspace checks do not reach this crate (it has its own workspace).
echo "--- fmt and clippy"
cargo fmt --check
cargo clippy -q --release --locked --features nopanic --all-targets -- -D warnings

# --- build, run, compare ---------------------------------------------------------------
# The footprint must not depend on where the checkout or cargo's home lie: source paths
# end up in the images (120 B of `xor`'s flash moved between two checkouts), so they are
# mapped to fixed names.
repo_root=$(cd ../.. && pwd)
cargo_home=${CARGO_HOME:-$HOME/.cargo}
export RUSTFLAGS="${RUSTFLAGS:-} --remap-path-prefix=$repo_root=/typenet --remap-path-prefix=$cargo_home=/cargo"
fail=0
target_dir=${CARGO_TARGET_DIR:-$PWD/target}
declare -A FLASH RAM STATIC STACK
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for t in "${TARGETS[@]}"; do
  echo "--- $t: build (release)"
  read -r -a bins <<<"$(bins_for "$t")"
  cargo build --release --locked --target "$t" --features nopanic $(printf -- '--bin %s ' "${bins[@]}")
  for b in "${bins[@]}"; do
    out="$tmp/$t.$b.out"
    # The runner in .cargo/config.toml wraps QEMU in `timeout`; this outer one also
    # bounds cargo itself.
    if timeout "$RUN_TIMEOUT" cargo run -q --release --locked --target "$t" --features nopanic --bin "$b" \
      >"$out" 2>"$tmp/err"; then
      rc=0
    else
      rc=$?
    fi
    if [ "$rc" != 0 ]; then
      echo "FAIL: $b on $t exited with $rc"
      sed 's/^/  | /' "$out" "$tmp/err"
      fail=1
    fi
    # `#` lines carry figures that differ between targets (the stack peak).
    if [[ " ${EXIT_ONLY[*]} " == *" $b "* ]]; then
      [ "$rc" = 0 ] && echo "ok: $b on $t: exit 0, every output equals LiteRT's"
    elif grep -v '^#' "$out" | diff -u "golden/$b.txt" - >"$tmp/diff"; then
      echo "ok: $b on $t: exit 0, stdout equals golden/$b.txt"
    else
      echo "FAIL: $b on $t: stdout differs from golden/$b.txt"
      sed 's/^/  | /' "$tmp/diff"
      fail=1
    fi
    read -r text data bss _ < <(arm-none-eabi-size "$target_dir/$t/release/$b" | tail -n1)
    stack=$(sed -n 's/^# peak stack \([0-9]*\) bytes$/\1/p' "$out")
    FLASH[$b.$t]=$((text + data))
    STATIC[$b.$t]=$((data + bss))
    STACK[$b.$t]=${stack:-?}
    RAM[$b.$t]=$((data + bss + ${stack:-0}))
  done
  for b in "${INT_ONLY[@]}"; do
    floats=$(arm-none-eabi-nm "$target_dir/$t/release/$b" | awk '$NF ~ /^__aeabi_[fd]/ { print $NF }' | tr '\n' ' ')
    if [ -n "$floats" ]; then
      echo "FAIL: $b on $t links software floating-point routines: $floats"
      fail=1
    else
      echo "ok: $b on $t links no __aeabi_f* or __aeabi_d* routine"
    fi
  done
  for b in "${bins[@]}"; do
    # int8_layers prepares its layers on the device, whose multipliers TFLite computes in
    # f64 (QuantizeMultiplier); digits_int8 builds them from prepared integers instead.
    [ "$b" = int8_layers ] && continue
    doubles=$(arm-none-eabi-nm "$target_dir/$t/release/$b" | awk '$NF ~ /^__aeabi_d/ { print $NF }' | tr '\n' ' ')
    if [ -n "$doubles" ]; then
      echo "FAIL: $b on $t links software double-precision routines: $doubles"
      fail=1
    else
      echo "ok: $b on $t links no __aeabi_d* routine"
    fi
  done
done

# --- instructions per inference ---------------------------------------------------------
# QEMU models no cycles, but logs every executed instruction (`-singlestep -d exec,nochain`:
# one `Trace` line each), counted through a named pipe. Each digits binary is built with
# TYPENET_EXTRA_PASSES=1 (one unprinted pass over its images before the printed one) and
# with 0; the difference over the number of images is one inference. On these cores most
# instructions take one cycle: a fair comparison of two programs on the same core.
declare -A INSNS
count_insns() { # machine elf
  local fifo="$tmp/trace.fifo"
  rm -f "$fifo"
  mkfifo "$fifo"
  grep -c '^Trace' <"$fifo" >"$tmp/count" &
  local reader=$!
  timeout 600 qemu-system-arm -machine "$1" -nographic -semihosting-config enable=on,target=native \
    -singlestep -d exec,nochain -D "$fifo" -kernel "$2" >/dev/null 2>&1 || true
  wait "$reader" || true
  cat "$tmp/count"
}
for entry in "${COUNT_ON[@]}"; do
  read -r t machine <<<"$entry"
  echo "--- $t: instructions per inference"
  for passes in 1 0; do
    TYPENET_EXTRA_PASSES=$passes cargo build -q --release --locked --target "$t" --features nopanic \
      $(printf -- '--bin %s ' "${COUNTED[@]}")
    for b in "${COUNTED[@]}"; do
      cp "$target_dir/$t/release/$b" "$tmp/$b.$t.$passes"
    done
  done
  for b in "${COUNTED[@]}"; do
    with=$(count_insns "$machine" "$tmp/$b.$t.1")
    without=$(count_insns "$machine" "$tmp/$b.$t.0")
    INSNS[$b.$t]=$(((with - without) / DIGITS_IMAGES))
    echo "$b on $t: ${INSNS[$b.$t]} instructions per inference ($with - $without over $DIGITS_IMAGES)"
  done
done
t=thumbv7m-none-eabi
echo "--- $t: instructions per inference of the imported .tflite models"
for n in 8 0; do
  TYPENET_INFERENCES=$n cargo build -q --release --locked --target "$t" --features nopanic \
    $(printf -- '--bin %s ' "${TFLITE_COUNTED[@]}")
  for b in "${TFLITE_COUNTED[@]}"; do
    cp "$target_dir/$t/release/$b" "$tmp/$b.$t.n$n"
  done
done
for b in "${TFLITE_COUNTED[@]}"; do
  with=$(count_insns lm3s6965evb "$tmp/$b.$t.n8")
  without=$(count_insns lm3s6965evb "$tmp/$b.$t.n0")
  INSNS[$b.$t]=$(((with - without) / 8))
  echo "$b on $t: ${INSNS[$b.$t]} instructions per inference ($with - $without over 8)"
done
if [ "${INSNS[tflite_speech.$t]}" -le "$SPEECH_INSNS_BUDGET" ]; then
  echo "budget ok: tflite_speech on $t: ${INSNS[tflite_speech.$t]} <= $SPEECH_INSNS_BUDGET instructions per inference"
else
  echo "FAIL: budget exceeded: tflite_speech on $t: ${INSNS[tflite_speech.$t]} > $SPEECH_INSNS_BUDGET instructions per inference"
  fail=1
fi
# Rebuilt with the default eight inferences, as measured above.
cargo build -q --release --locked --target "$t" --features nopanic $(printf -- '--bin %s ' "${TFLITE_COUNTED[@]}")
# The release images left in target/ are the printed-only ones, as built above.

# --- footprint and budgets -------------------------------------------------------------
# The table is docs/firmware-sizes.md, the one place the figures are written down: it must
# equal what this run measured (TYPENET_BLESS=1 rewrites it after an intended change).
sizes_doc=../../docs/firmware-sizes.md
{
  echo "# Firmware footprint"
  echo
  echo "Written by \`examples/firmware/run.sh\`, which fails when these figures differ from"
  echo "what it measures (CI runs it); after an intended change,"
  echo "\`TYPENET_BLESS=1 examples/firmware/run.sh\` rewrites this file. Do not edit it by hand."
  echo
  echo "Release build (\`opt-level = \"s\"\`, LTO, one codegen unit) with $(rustc --version | cut -d' ' -f1-2)."
  echo "Flash is text + data, static RAM is data + bss (\`arm-none-eabi-size\`); the peak stack is"
  echo "measured on the device under QEMU (the stack is painted at reset, then scanned for the"
  echo "deepest overwritten word). What each binary does: [firmware.md](firmware.md)."
  echo
  echo "| binary | target | flash | static RAM | peak stack |"
  echo "|---|---|---:|---:|---:|"
  for b in "${BINS[@]}"; do
    for t in "${TARGETS[@]}"; do
      [ -n "${FLASH[$b.$t]:-}" ] || continue
      echo "| \`$b\` | $t | ${FLASH[$b.$t]} B | ${STATIC[$b.$t]} B | ${STACK[$b.$t]} B |"
    done
  done
  echo
  echo "Instructions executed per inference of the digits network (64 → 32 sigmoid → 10),"
  echo "counted under QEMU (\`-singlestep -d exec\`), the float network and its int8 twin on"
  echo "the same core (the Cortex-M0 and M3 have no FPU: f32 is software floating point):"
  echo
  echo "| target | \`digits_f32\` | \`digits_int8\` | f32 / int8 |"
  echo "|---|---:|---:|---:|"
  for entry in "${COUNT_ON[@]}"; do
    read -r t _ <<<"$entry"
    f=${INSNS[digits_f32.$t]}
    i=${INSNS[digits_int8.$t]}
    echo "| $t | $f | $i | $(awk -v f="$f" -v i="$i" 'BEGIN { printf "%.1f", f / i }') |"
  done
  echo
  echo "Instructions executed per inference of the \`microflow\` crate's models imported with"
  echo "\`include_tflite!\` (\`tflite_sine\`, \`tflite_speech\`: 8 inferences minus 0, over 8):"
  echo
  echo "| target | \`tflite_sine\` | \`tflite_speech\` |"
  echo "|---|---:|---:|"
  echo "| thumbv7m-none-eabi | ${INSNS[tflite_sine.thumbv7m-none-eabi]} | ${INSNS[tflite_speech.thumbv7m-none-eabi]} |"
  echo
  echo "Budgets (the run fails above them):"
  echo
  for budget in "${BUDGETS[@]}"; do
    read -r b t what limit <<<"$budget"
    case $what in
      flash) echo "- \`$b\` on $t: flash at most $limit B" ;;
      ram) echo "- \`$b\` on $t: static RAM plus peak stack at most $limit B" ;;
    esac
  done
  echo "- \`tflite_speech\` on thumbv7m-none-eabi: at most $SPEECH_INSNS_BUDGET instructions per inference"
} >"$tmp/sizes.md"
echo
sed -n '/^| binary/,/^$/p' "$tmp/sizes.md"
if [ "${TYPENET_BLESS:-}" = 1 ] && [ "$fail" = 0 ]; then
  cp "$tmp/sizes.md" "$sizes_doc"
  echo "wrote docs/firmware-sizes.md"
elif [ "${TYPENET_BLESS:-}" = 1 ]; then
  echo "docs/firmware-sizes.md left as it was: the run failed"
elif diff -u "$sizes_doc" "$tmp/sizes.md" >"$tmp/sizes.diff"; then
  echo "ok: docs/firmware-sizes.md holds the figures measured now"
else
  echo "FAIL: docs/firmware-sizes.md differs from the figures measured now"
  echo "  (after an intended change: TYPENET_BLESS=1 examples/firmware/run.sh)"
  sed 's/^/  | /' "$tmp/sizes.diff"
  fail=1
fi
for budget in "${BUDGETS[@]}"; do
  read -r b t what limit <<<"$budget"
  case $what in
    flash) have=${FLASH[$b.$t]} ;;
    ram) have=${RAM[$b.$t]} ;;
  esac
  if [ "${STACK[$b.$t]}" = "?" ] && [ "$what" = ram ]; then
    echo "FAIL: budget $b $t ram: no stack figure"
    fail=1
  elif [ "$have" -le "$limit" ]; then
    echo "budget ok: $b on $t: $what $have B <= $limit B"
  else
    echo "FAIL: budget exceeded: $b on $t: $what $have B > $limit B"
    fail=1
  fi
done

if [ "$fail" != 0 ]; then
  echo "firmware: FAILED"
  exit 1
fi
echo "firmware: all binaries ran on both targets, matched the golden files and met the budgets"
