<?php
// Codec benchmark: peb_encode + peb_decode of mypeb's reference term, beside
// PHP's own serialize() + unserialize() of the same data in the same run
// (a ratio survives a noisy machine; an absolute time does not), then size
// scaling of a binary and a list: time at 2N over time at N, 2.0 is linear.
// Run with: bench/codec (builds the release extension first).

require __DIR__ . '/common.php';

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
$figures = ['pair_us' => $per_pair, 'serialize_us' => $ser / $n * 1e6, 'ratio' => $peb / $ser];
printf("mypeb's C reference: about 1.0 us per pair on this class of machine; peb: %.2f of it\n\n", $per_pair / 1.0);

// Sizes: a 1 MB binary and a 100,000-element list, then twice and four
// times that. PHP allocates strings of 2 MB and more with mmap, so a copy of
// the same bytes by PHP itself (str_repeat($s, 1)) is printed beside decode.
$scale = $quick ? 0.25 : 1;
$cases = [
    'binary' => [(int) (1_048_576 * $scale), fn ($n) => ['~b', str_repeat('x', $n)]],
    'list' => [(int) (100_000 * $scale), fn ($n) => ['~v', range(1, $n)]],
];
foreach ($cases as $kind => [$base, $make]) {
    $times = [];
    foreach ([$base, 2 * $base, 4 * $base] as $n) {
        [$fmt, $value] = $make($n);
        $enc = best_of(3, fn () => peb_encode($fmt, [$value]));
        $term = peb_encode($fmt, [$value]);
        $dec = best_of(3, fn () => peb_decode($term));
        $times[] = [$enc, $dec];
        $copy = $kind === 'binary' ? sprintf(", php's own copy %8.3f ms", best_of(3, fn () => str_repeat($value, 1)) * 1e3) : '';
        printf("%-6s of %9d: encode %8.3f ms, decode %8.3f ms%s\n", $kind, $n, $enc * 1e3, $dec * 1e3, $copy);
        $figures['sizes'][] = ['kind' => $kind, 'n' => $n, 'encode_ms' => $enc * 1e3, 'decode_ms' => $dec * 1e3];
    }
    printf("%-6s scaling 4N/2N: encode %.2f, decode %.2f (2.0 is linear)\n\n", $kind,
        $times[2][0] / $times[1][0], $times[2][1] / $times[1][1]);
}
if (($i = array_search('--json', $argv, true)) !== false) {
    file_put_contents($argv[$i + 1], json_encode($figures));
}
