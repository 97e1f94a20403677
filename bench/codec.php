<?php
// Codec benchmark: peb_encode + peb_decode of mypeb's reference term, beside
// PHP's own serialize() + unserialize() of the same data in the same run
// (a ratio survives a noisy machine; an absolute time does not), then size
// scaling of a binary and a list: time at 2N over time at N, 2.0 is linear.
// Run with: bench/codec (builds the release extension first).

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

$quick = in_array('--quick', $argv, true);
$n = $quick ? 20_000 : 200_000;
$format = '[~a,{~s,~i},[~b,~d],~a]';
$data = [['ok', ['hello', 42], ["\x01\x02bin", 3.14], 'done']];

$peb = best_of(5, function () use ($n, $format, $data) {
    for ($i = 0; $i < $n; $i++) {
        peb_decode(peb_encode($format, $data));
    }
});
$ser = best_of(5, function () use ($n, $data) {
    for ($i = 0; $i < $n; $i++) {
        unserialize(serialize($data));
    }
});
$per_pair = $peb / $n * 1e6;
printf("encode+decode of %s: %.3f us per pair (%d pairs)\n", $format, $per_pair, $n);
printf("serialize+unserialize of the same data: %.3f us per pair\n", $ser / $n * 1e6);
printf("ratio peb / serialize: %.2f\n", $peb / $ser);
printf("mypeb's C reference: about 1.0 us per pair on this class of machine; peb: %.2f of it\n\n", $per_pair / 1.0);

$sizes = $quick ? [[262_144, 25_000]] : [[1_048_576, 100_000]];
foreach ($sizes as [$bytes, $items]) {
    foreach ([['binary', $bytes], ['list', $items]] as [$kind, $size]) {
        $times = [];
        foreach ([$size, 2 * $size] as $s) {
            [$fmt, $value] = $kind === 'binary' ? ['~b', str_repeat('x', $s)] : ['~v', range(1, $s)];
            $enc = best_of(3, fn () => peb_encode($fmt, [$value]));
            $term = peb_encode($fmt, [$value]);
            $dec = best_of(3, fn () => peb_decode($term));
            $times[$s] = [$enc, $dec];
            printf("%-6s of %9d: encode %8.3f ms, decode %8.3f ms\n", $kind, $s, $enc * 1e3, $dec * 1e3);
        }
        printf("%-6s scaling 2N/N: encode %.2f, decode %.2f (2.0 is linear)\n\n", $kind,
            $times[2 * $size][0] / $times[$size][0], $times[2 * $size][1] / $times[$size][1]);
    }
}
