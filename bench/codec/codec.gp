# codec.gp - ns per message, msgc against protobuf-c and memcpy, from codec_bench's data
# files. Called by `make plot` as: gnuplot -e "o2='...'; o3='...'; out='...svg'" codec.gp
set terminal svg size 960,520 dynamic font "sans,12" background "white"
set output out
set title "Codec: ns per message (lower is better; log scale; medians, pinned to one CPU)"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set yrange [1:*]
set ylabel "ns per message"
set format y "%g"
set grid ytics
set key top left
set xtics nomirror
set ytics nomirror
plot o2 using 2:xtic(1) title "msgc -O2" lc rgb "#1f77b4", \
     o3 using 2 title "msgc -O3" lc rgb "#7fb8e0", \
     o2 using 3 title "protobuf-c 1.4.1" lc rgb "#d62728", \
     o2 using 4 title "memcpy of the bytes" lc rgb "#7f7f7f"
