#!/bin/sh
# ipc_plot.sh OUT.txt OUT.svg - the plot of docs/performance.md from one ipc_bench output:
# RPC round trips and one-way 64-byte rates, msgc beside the raw kernel loops and ZeroMQ,
# both processes pinned to one CPU.
set -eu
in=$1
svg=$2
dir=$(dirname "$svg")
# The first figure with a unit on a table line: the median time or the rate.
first='function first(   i) { for (i = 1; i < NF; i++) if ($(i + 1) == "us" || $(i + 1) == "msg/s") return $i }'
# Round trips: one row per transport and size; raw, msgc (timeout -1), ZeroMQ REQ/REP.
awk "$first"'
    /^64-byte messages, pinned/ { size = "64 B"; on = 1; next }
    /^4096-byte messages, pinned/ { size = "4 KiB"; on = 1; next }
    /^[0-9]+-byte messages/ { on = 0 }
    !on { next }
    /raw ping-pong/ { raw[$1 " " size] = first() }
    /stubs rpc, timeout -1/ { msgc[$1 " " size] = first() }
    /zmq  REQ\/REP/ { zmq[size] = first() }
    END {
        n = split("mq 64 B|unix 64 B|mq 4 KiB|unix 4 KiB", rows, "|")
        for (i = 1; i <= n; i++) {
            split(rows[i], w, " ")
            printf "\"%s\" %s %s %s\n", rows[i], raw[rows[i]], msgc[rows[i]], zmq[w[2] " " w[3]]
        }
    }' "$in" > "$dir/ipc_rtt.dat"
# One-way 64-byte rates in millions of messages per second.
awk "$first"'
    /^64-byte messages, pinned/ { on = 1; next }
    /^[0-9]+-byte messages/ { on = 0 }
    !on { next }
    /raw mq_send\/mq_receive loop|raw send\/recv loop/ { v[$1, "raw"] = first() }
    /stubs send\/recv/ { v[$1, "one"] = first() }
    /send_many\/recv_many 16 / { v[$1, "b16"] = first() }
    /send_many\/recv_many 256/ { v[$1, "b256"] = first() }
    /zmq  PUSH\/PULL/ { zmq = first() }
    END {
        split("mq unix", t, " ")
        for (i = 1; i <= 2; i++)
            printf "%s %.3f %.3f %.3f %.3f %.3f\n", t[i], v[t[i], "raw"] / 1e6,
                   v[t[i], "one"] / 1e6, v[t[i], "b16"] / 1e6, v[t[i], "b256"] / 1e6, zmq / 1e6
    }' "$in" > "$dir/ipc_rate.dat"
gnuplot -e "rtt='$dir/ipc_rtt.dat'; rate='$dir/ipc_rate.dat'; out='$svg'" "$(dirname "$0")/ipc.gp"
