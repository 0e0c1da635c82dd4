#!/bin/sh
# callgrind_ir.sh DIR - instructions per message of each codec_bench operation.
# DIR holds the callgrind dumps of `codec_bench -c N` (one per operation, named by the
# operation's id in its "desc: Trigger" line) and that run's output, "rounds": the id and
# how many times the operation ran. Prints "id instructions-per-message" lines.
set -eu
dir=$1
for f in "$dir"/cg.out.*; do
    id=$(sed -n 's/^desc: Trigger: Client Request: //p' "$f")
    total=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$f")
    [ -n "$id" ] && [ -n "$total" ] || continue
    awk -v id="$id" -v total="$total" '$1 == id { printf "%s %.1f\n", id, total / $2 }' \
        "$dir/rounds"
done
