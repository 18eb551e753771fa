#!/usr/bin/env bash
# plot_peers.sh CSV PNG -- draws bench-peers' CSV (peers_bench --csv) as a PNG bar chart with
# gnuplot (Debian gnuplot-nox, tools/deps.sh bench): one panel for the write workloads
# (throughput / floor, higher is better) and one for reads (time / floor, lower is better),
# one bar per engine, error bars from the min-max spread of the repetitions.
set -euo pipefail
csv=${1:?usage: plot_peers.sh CSV PNG}
png=${2:?usage: plot_peers.sh CSV PNG}
command -v gnuplot >/dev/null || { echo "plot_peers.sh: gnuplot not installed (tools/deps.sh install bench)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
engines="libpager libpager-bg sqlite lmdb rocksdb"
# One row per workload: name, then median/min/max of each engine's ratio to the floor.
for kind in write read; do
  awk -F, -v kind="$kind" -v engines="$engines" '
    NR == 1 { next }
    index($1, kind) == 1 { med[$1, $2] = $8; lo[$1, $2] = $9; hi[$1, $2] = $10;
                           if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
    END { m = split(engines, e, " ");
          for (i = 1; i <= n; i++) { w = order[i]; line = w;
            for (j = 1; j <= m; j++) line = line " " med[w, e[j]] " " lo[w, e[j]] " " hi[w, e[j]];
            print line } }' "$csv" > "$tmp/$kind.dat"
done
gnuplot <<GP
set terminal pngcairo size 1200,520 noenhanced font ",10"
set output "$png"
set multiplot layout 1,2 title "bench-peers: ratio to the raw floor (median of repetitions, bars: min-max)"
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.7 border -1
set grid ytics
set key top right
set xtics rotate by -20
set title "durable writes: floor time / engine time (higher is better)"
set yrange [0:1.6]
plot "$tmp/write.dat" using 2:3:4:xtic(1) title "libpager", \
     "" using 5:6:7 title "libpager, background checkpointer", \
     "" using 8:9:10 title "SQLite WAL FULL", \
     "" using 11:12:13 title "LMDB", \
     "" using 14:15:16 title "RocksDB sync"
set title "4 KiB random reads: engine time / floor time (lower is better, log scale)"
set logscale y
set yrange [0.5:*]
plot "$tmp/read.dat" using 2:3:4:xtic(1) title "libpager", \
     "" using 5:6:7 title "libpager, background checkpointer", \
     "" using 8:9:10 title "SQLite WAL FULL", \
     "" using 11:12:13 title "LMDB", \
     "" using 14:15:16 title "RocksDB sync"
unset multiplot
GP
echo "wrote $png"
