#!/usr/bin/env bash
# Rebuild firmware_models/ from the shared WISDM data: the exact commands, seeded.
# tests/test_firmware_models.py reruns them and checks the bundles are reproduced bit for bit.
set -euo pipefail
DATA=${DATA:-../shared/data/wisdm2019-watch/raw}
OUT=${OUT:-firmware_models}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# 46-user identification, random forest at the flash/accuracy trade-off that fits 256 KB
gaitedge train --data "$DATA" --task identify --classifier rf --trees 30 --sensors accel --featureset extended --seed 0 --out "$TMP/rf"
gaitedge export "$TMP/rf" --out "$OUT/wisdm46_rf30_identify"
# 46-user identification, Gaussian naive Bayes
gaitedge train --data "$DATA" --task identify --classifier nb --sensors accel --featureset extended --seed 0 --out "$TMP/nb"
gaitedge export "$TMP/nb" --out "$OUT/wisdm46_nb_identify"
# owner authentication for subject 1600 (every other subject as imposter data)
gaitedge train --data "$DATA" --task authenticate --user 1600 --classifier rf --trees 30 --sensors accel --featureset extended --seed 0 --out "$TMP/auth"
gaitedge export "$TMP/auth" --out "$OUT/wisdm1600_rf30_authenticate"
