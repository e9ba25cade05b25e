#!/bin/sh
# Sharded extraction on one machine (or any host without a scheduler): start SHARDS shard processes at
# once, wait for all of them, then merge their bundles into one. Each shard keeps its own workspace, so
# a shard that fails can be rerun alone (it resumes) before merging.
#
#   MODEL=path/to/model DATASET=path/to/dataset OUT=out SHARDS=4 sh extract-shards.sh
#   platonic-lab bundle import out/merged            # then, in the workspace the app uses
set -eu
: "${MODEL:?set MODEL to the model folder or .onnx file}"
: "${DATASET:?set DATASET to the dataset folder or file}"
OUT=${OUT:-out}
SHARDS=${SHARDS:-4}
PL=${PLATONIC_LAB:-platonic-lab}
mkdir -p "$OUT"
pids=""
i=0
while [ "$i" -lt "$SHARDS" ]; do
  $PL extract --model "$MODEL" --dataset "$DATASET" --layers "${LAYERS:-all}" ${EXTRACT_ARGS:-} \
    --shard "$i/$SHARDS" --bundle "$OUT/shard-$i" --data "$OUT/ws-$i" --json >"$OUT/shard-$i.json" 2>"$OUT/shard-$i.log" &
  pids="$pids $!"
  i=$((i + 1))
done
failed=0
for pid in $pids; do wait "$pid" || failed=1; done
if [ "$failed" -ne 0 ]; then
  echo "a shard failed; see $OUT/shard-*.log, rerun it, then: $PL bundle merge $OUT/merged $OUT/shard-*/" >&2
  exit 1
fi
i=0
dirs=""
while [ "$i" -lt "$SHARDS" ]; do dirs="$dirs $OUT/shard-$i"; i=$((i + 1)); done
# shellcheck disable=SC2086
$PL bundle merge "$OUT/merged" $dirs --json >"$OUT/merged.json"
echo "merged $SHARDS shards into $OUT/merged"
