# Session cycles per second at 1 KB, per handler, 1 and 4 processes.
# gnuplot -e "data='DIR/chart.dat'; out='bench/sessions.png'" bench/chart.gp
set terminal pngcairo size 1000,520 font ",10"
set output out
set title "Session cycles per second (1 KB of data; higher is better)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set ylabel "cycles/s"
set yrange [0:*]
set grid ytics
set xtics rotate by -25
set key top right
plot data using 2:xtic(1) title "1 process", '' using 3 title "4 processes"
