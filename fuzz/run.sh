#!/usr/bin/env bash
# Build the libFuzzer targets with ASan + UBSan and run each for SECONDS (default 30).
#   fuzz/run.sh 20          # CI smoke
#   fuzz/run.sh 600         # a longer campaign; prints executions per target
# Targets: features (the C feature core) and device (the firmware's whole request path:
# byte stream -> COBS/CRC frames -> message handlers -> features/model -> reply frames).
# New corpus entries are kept in fuzz/corpus/<target>/ (replayed by tests/test_fuzz_corpus.py).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-30}
OUT=${FUZZ_BUILD:-/tmp/gaitedge-fuzz}
MODEL=${FUZZ_MODEL:-firmware_models/wisdm46_nb_identify}
mkdir -p "$OUT" fuzz/corpus/features fuzz/corpus/device
CFLAGS="-g -O1 -std=c99 -ffp-contract=off -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Icsrc"
clang $CFLAGS fuzz/fuzz_features.c csrc/ge_features.c csrc/ge_window.c -lm -o "$OUT/fuzz_features"
clang $CFLAGS -DGE_APP_FUZZ -DGE_FUZZ_SKIP_CRC -I"$MODEL" -Icsrc/firmware csrc/firmware/app.c fuzz/hal_fuzz.c "$MODEL/gaitedge_model.c" \
    csrc/ge_features.c csrc/ge_window.c csrc/ge_proto.c -lm -o "$OUT/fuzz_device"
status=0
for t in features device; do
  echo "== fuzz_$t for ${SECONDS_EACH}s"
  "$OUT/fuzz_$t" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -max_len=4096 \
      "fuzz/corpus/$t" 2>"$OUT/$t.log" || status=$?
  grep -E "stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY" "$OUT/$t.log" || true
  [ $status -eq 0 ] || { tail -40 "$OUT/$t.log"; exit $status; }
done
