#!/usr/bin/env bash
# typenet against MicroFlow on the same models and the same emulated board: builds
# `tflite_sine` / `tflite_speech` (examples/firmware, typenet's `include_tflite!`) and
# `mf_sine` / `mf_speech` (this crate, the `microflow` crate 0.1.3) for the LM3S6965
# (Cortex-M3, thumbv7m-none-eabi), runs each under QEMU, and prints one markdown row per
# program: flash, static RAM, peak stack, instructions per inference, and whether all
# eight outputs equal LiteRT's (the exit status). docs/tflite.md holds the table.
#
#   examples/firmware/microflow/compare.sh
#
# Needs qemu-system-arm and binutils-arm-none-eabi (examples/firmware/run.sh installs
# them) and the thumbv7m-none-eabi target. Instructions per inference: each program is
# built with TYPENET_INFERENCES=8 and =0, QEMU logs every executed instruction
# (`-singlestep -d exec,nochain`, counted through a named pipe), and the difference is
# divided by 8. MicroFlow's speech run logs ~110 million instructions: a few minutes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
firmware=$(cd "$here/.." && pwd)
T=thumbv7m-none-eabi
MACHINE=lm3s6965evb
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
repo_root=$(cd "$firmware/../.." && pwd)
cargo_home=${CARGO_HOME:-$HOME/.cargo}
# As run.sh does: source paths must not change the images.
export RUSTFLAGS="${RUSTFLAGS:-} --remap-path-prefix=$repo_root=/typenet --remap-path-prefix=$cargo_home=/cargo"

build() { # dir features bins... ; copies the ELFs to $tmp/<bin>.<n>
  local dir=$1 features=$2
  shift 2
  # where cargo puts the images: CARGO_TARGET_DIR or build.target-dir if the user set one
  local target_dir
  target_dir=$(cd "$dir" && cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
  for n in 8 0; do
    (cd "$dir" && TYPENET_INFERENCES=$n cargo build -q --release --locked --target "$T" $features \
      $(printf -- '--bin %s ' "$@"))
    for b in "$@"; do
      cp "$target_dir/$T/release/$b" "$tmp/$b.$n"
    done
  done
}

count_insns() { # elf
  local fifo="$tmp/trace.fifo"
  rm -f "$fifo"
  mkfifo "$fifo"
  grep -c '^Trace' <"$fifo" >"$tmp/count" &
  local reader=$!
  timeout 1800 qemu-system-arm -machine "$MACHINE" -nographic -semihosting-config enable=on,target=native \
    -singlestep -d exec,nochain -D "$fifo" -kernel "$1" >/dev/null 2>&1 || true
  wait "$reader" || true
  cat "$tmp/count"
}

echo "building (typenet: examples/firmware; MicroFlow: examples/firmware/microflow)" >&2
build "$firmware" "--features nopanic" tflite_sine tflite_speech
start=$(date +%s)
build "$here" "" mf_sine mf_speech
echo "MicroFlow crate built in $(($(date +%s) - start)) s (both inference counts)" >&2

echo "| model | library | flash | static RAM | peak stack | instructions per inference | outputs equal LiteRT's |"
echo "|---|---|---:|---:|---:|---:|---|"
for pair in "sine tflite_sine mf_sine" "speech tflite_speech mf_speech"; do
  read -r model tn mf <<<"$pair"
  for b in "$tn" "$mf"; do
    case $b in
      tflite_*) lib=typenet ;;
      *) lib=MicroFlow ;;
    esac
    if out=$(timeout 600 qemu-system-arm -machine "$MACHINE" -nographic \
      -semihosting-config enable=on,target=native -kernel "$tmp/$b.8" 2>/dev/null); then
      exact="yes, 8 of 8"
    else
      exact="NO (exit status $?)"
    fi
    stack=$(sed -n 's/^# peak stack \([0-9]*\) bytes$/\1/p' <<<"$out")
    read -r text data bss _ < <(arm-none-eabi-size "$tmp/$b.8" | tail -n1)
    with=$(count_insns "$tmp/$b.8")
    without=$(count_insns "$tmp/$b.0")
    echo "$b: $with - $without instructions over 8 inferences" >&2
    echo "| \`$model\` | $lib | $((text + data)) B | $((data + bss)) B | ${stack:-?} B | $(((with - without) / 8)) | $exact |"
  done
done
