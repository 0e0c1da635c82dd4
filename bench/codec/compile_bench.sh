#!/bin/sh
# compile_bench.sh MSGC RUNTIME_DIR OUT_DIR - how long msgc takes to compile a schema of
# 1,000 messages x 20 fields (median of 5 runs), and, for information, how long cc -O2
# takes to compile the C generated for the first CC_MESSAGES of those messages (one run:
# all 1,000 take cc several minutes, and the time grows linearly with the count).
#   PIN          a command prefix pinning the runs to one CPU ("taskset -c 1"); may be empty
#   CC           the C compiler (default cc)
#   RUNS         runs of msgc (default 5)
#   CC_MESSAGES  messages whose generated C cc compiles (default 50, at most 1000)
set -eu
msgc=$1
runtime=$2
out=$3
pin=${PIN:-}
cc=${CC:-cc}
runs=${RUNS:-5}
cc_messages=${CC_MESSAGES:-50}

rm -rf "$out" && mkdir -p "$out/gen" "$out/cc"
schema=$out/big.msg

# Every message has one field of each kind: the scalars, strings and bytes bounded and
# not, repeated scalars (packed) and strings, an enum, an inline message and a pointer
# to the message before it, so each message's code exercises every template path.
awk 'BEGIN {
    print "// big.msg - 1,000 messages x 20 fields, written by compile_bench.sh."
    print "package big;"
    print "enum Kind { KIND_NONE = 0; KIND_A = 1; KIND_B = 2; }"
    print "message Pair { int32 a = 1; string b = 2 [max = 15]; }"
    for (i = 0; i < 1000; i++) {
        printf "message M%04d {\n", i
        print "    int32 f1 = 1;"
        print "    int64 f2 = 2;"
        print "    uint32 f3 = 3;"
        print "    uint64 f4 = 4;"
        print "    sint32 f5 = 5;"
        print "    sint64 f6 = 6;"
        print "    fixed32 f7 = 7;"
        print "    fixed64 f8 = 8;"
        print "    float f9 = 9;"
        print "    double f10 = 10;"
        print "    bool f11 = 11;"
        print "    string f12 = 12;"
        print "    string f13 = 13 [max = 31];"
        print "    bytes f14 = 14;"
        print "    bytes f15 = 15 [max = 16];"
        print "    repeated int32 f16 = 16 [max = 8];"
        print "    repeated string f17 = 17;"
        print "    Kind f18 = 18;"
        print "    Pair f19 = 19;"
        if (i == 0)
            print "    optional int32 f20 = 20;"
        else
            printf "    optional M%04d f20 = 20;\n", i - 1
        print "}"
    }
}' > "$schema"

now_ns() { date +%s%N; }

# Wall time from date; CPU time (user + sys) from GNU time when it is installed, since on
# a busy machine the wall time also counts the time other processes held the CPU.
median() {
    tr ' ' '\n' | sed '/^$/d' | sort -n |
        awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
                                 printf "%.0f", m }'
}
gnu_time=
if [ -x /usr/bin/time ] && /usr/bin/time -f %U true 2>/dev/null; then
    gnu_time=/usr/bin/time
fi
wall=
cpu=
i=0
while [ "$i" -lt "$runs" ]; do
    t0=$(now_ns)
    if [ -n "$gnu_time" ]; then
        $pin $gnu_time -f '%U %S' -o "$out/time" "$msgc" -o "$out/gen" "$schema"
        cpu="$cpu $(awk '{ printf "%.0f", ($1 + $2) * 1000 }' "$out/time")"
    else
        $pin "$msgc" -o "$out/gen" "$schema"
    fi
    t1=$(now_ns)
    wall="$wall $(( (t1 - t0) / 1000000 ))"
    i=$((i + 1))
done
wall_ms=$(echo "$wall" | median)
cpu_ms=$(if [ -n "$cpu" ]; then echo "$cpu" | median; else echo "?"; fi)

lines=$(cat "$out/gen/big.msg.h" "$out/gen/big.msg.c" | wc -l)

# The first messages only refer to each other, so they make a schema of their own.
awk -v n="$cc_messages" -v stop="$(printf 'message M%04d {' "$cc_messages")" \
    '$0 == stop { exit } { print }' "$schema" > "$out/cc/part.msg"
"$msgc" -o "$out/cc" "$out/cc/part.msg"
t0=$(now_ns)
$pin "$cc" -std=c11 -O2 -I"$runtime" -I"$out/cc" -c "$out/cc/part.msg.c" -o "$out/cc/part.msg.o"
t1=$(now_ns)
cc_ms=$(( (t1 - t0) / 1000000 ))

echo
echo "compiler: 1,000 messages x 20 fields ($(wc -l < "$schema") schema lines, $lines generated lines)"
echo "  msgc                    ${wall_ms} ms wall, ${cpu_ms} ms CPU  (medians of $runs; target < 1000 ms)"
echo "  cc -O2, $cc_messages messages' C  ${cc_ms} ms  (one run, for information;" \
     "$(awk -v t="$cc_ms" -v n="$cc_messages" 'BEGIN { printf "%.0f", t / n }') ms a message)"
