<?php
// Shared by the benchmarks: the best of several timed rounds, in seconds.
// The best, not the mean: on a shared machine noise only ever adds time.

function best_of(int $rounds, callable $fn): float
{
    $best = INF;
    for ($r = 0; $r < $rounds; $r++) {
        $t = hrtime(true);
        $fn();
        $best = min($best, hrtime(true) - $t);
    }
    return $best / 1e9;
}
