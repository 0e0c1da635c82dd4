# ipc.gp - RPC round trips and one-way rates, msgc against the raw kernel loops and
# ZeroMQ, from the data files of ipc_plot.sh: gnuplot -e "rtt='...'; rate='...'; out='...'"
set terminal svg size 1100,820 dynamic noenhanced font "sans,12" background "white"
set output out
set multiplot layout 2,1
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key outside right top vertical Left reverse noenhanced
set xtics nomirror
set ytics nomirror
set title "RPC round trip, median (lower is better; both processes pinned to one CPU)"
set ylabel "microseconds"
set yrange [0:*]
plot rtt using 2:xtic(1) title "raw ping-pong (poll/epoll server)" lc rgb "#7f7f7f", \
     rtt using 3 title "msgc stubs" lc rgb "#1f77b4", \
     rtt using 4 title "ZeroMQ REQ/REP" lc rgb "#d62728"
set title "One-way 64-byte messages per second (higher is better; log scale; pinned)"
set ylabel "millions of messages per second"
set logscale y
set yrange [0.1:*]
set format y "%g"
plot rate using 2:xtic(1) title "raw send/receive loop" lc rgb "#7f7f7f", \
     rate using 3 title "msgc send/recv" lc rgb "#1f77b4", \
     rate using 4 title "msgc send_many/recv_many, 16" lc rgb "#6baed6", \
     rate using 5 title "msgc send_many/recv_many, 256" lc rgb "#08519c", \
     rate using 6 title "ZeroMQ PUSH/PULL" lc rgb "#d62728"
unset multiplot
