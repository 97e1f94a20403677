<?php
// The long-running check of the README's reliability section, in one PHP
// process: CYCLES session cycles and CALLS peb_rpc calls (100,000 each by
// default), with the process's RSS printed at the start and the end of
// each, and the node's processes, ETS memory and session locks compared
// with their baseline once the load is over. Run by scripts/dev/soak.
require __DIR__ . '/../lib/php/session.php';

$cycles = (int) ($argv[1] ?? 100_000);
$calls = (int) ($argv[2] ?? 100_000);
$ids = 1000;

function rss_kb(): int
{
    preg_match('/^VmRSS:\s+(\d+) kB/m', file_get_contents('/proc/self/status'), $m);
    return (int) $m[1];
}

/**
 * Runs `$step($i)` `$n` times; how long it took (ms) and the RSS at the
 * start, at every fifth of the run, and at the end. `$step` returns whether
 * it worked; the failures are counted.
 */
function measured(int $n, callable $step): array
{
    $start = rss_kb();
    $t0 = hrtime(true);
    $marks = [];
    $failed = 0;
    for ($i = 0; $i < $n; $i++) {
        if ($i % intdiv($n, 5) === 0) {
            $marks[] = rss_kb();
        }
        $failed += $step($i) ? 0 : 1;
    }
    return ['ms' => ms_since($t0), 'start' => $start, 'end' => rss_kb(), 'marks' => $marks, 'failed' => $failed];
}

function rss_line(array $m): string
{
    return sprintf('RSS start %d kB, end %d kB (%+d kB); every fifth: %s kB', $m['start'], $m['end'],
        $m['end'] - $m['start'], implode(', ', $m['marks']));
}

/** What the node holds: processes, ETS words of the session table and in all, and the server's load. */
function node_state(): array
{
    $s = server_stats();
    return [
        'processes' => node_call('erlang', 'system_info', '[~a]', [['process_count']]),
        'session table (words)' => node_call('ets', 'info', '[~a,~a]', [['session_handler', 'memory']]),
        'ets (bytes)' => node_call('erlang', 'memory', '[~a]', [['ets']]),
        'sessions' => $s['sessions'],
        'locks' => $s['locks'],
        'waiters' => $s['waiters'],
        'monitors' => $s['monitors'],
    ];
}

use_erlang_sessions();
$id_of = fn (int $i) => sprintf('soak%06d%s', $i % $ids, str_repeat('x', 20));
// Warm up: the link, the server, PHP's own caches.
for ($i = 0; $i < 1000; $i++) {
    session_cycle($id_of($i), function () { $_SESSION['n'] = ($_SESSION['n'] ?? 0) + 1; });
}
for ($i = 0; $i < $ids; $i++) {
    session_id($id_of($i));
    session_start();
    session_destroy();
}
// The node settles: rex workers of the warm-up exit.
usleep(500_000);
$baseline = node_state();
// Once before measuring: its first preg_match compiles (and JITs) the pattern.
rss_kb();

$m = measured($cycles, fn (int $i) => session_cycle($id_of($i), function () use ($i) {
    $_SESSION['n'] = ($_SESSION['n'] ?? 0) + 1;
    $_SESSION['payload'] = str_repeat(chr(65 + $i % 26), 200);
}));
$failures = $m['failed'];
$per_id = intdiv($cycles, $ids);
$counts_ok = true;
for ($i = 0; $i < $ids; $i++) {
    session_id($id_of($i));
    session_start();
    $counts_ok = $counts_ok && ($_SESSION['n'] ?? 0) === $per_id + (($i < $cycles % $ids) ? 1 : 0);
    session_destroy();
}
printf("session cycles: %d in %.1f s, %d failed, every count right: %s; %s\n",
    $cycles, $m['ms'] / 1000, $failures, $counts_ok ? 'yes' : 'no', rss_line($m));

$link = peb_pconnect(test_node(), test_cookie(), 2000);
$args = peb_encode('[~v]', [[[1, 'two', 3.0, ['k' => 'v']]]]);
for ($i = 0; $i < 1000; $i++) {
    peb_decode(peb_rpc('erlang', 'hd', $args, $link));
}
$m = measured($calls, function () use ($args, $link) {
    $r = peb_rpc('erlang', 'hd', $args, $link);
    return $r !== false && peb_decode($r)[0] === 1;
});
$bad = $m['failed'];
printf("peb_rpc calls: %d in %.1f s, %d failed; %s\n", $calls, $m['ms'] / 1000, $bad, rss_line($m));

usleep(500_000);
$after = node_state();
$back = true;
echo "node after the load (baseline -> after):";
foreach ($baseline as $k => $v) {
    printf(" %s %s -> %s;", $k, $v, $after[$k]);
}
echo "\n";
// All but the VM's total ETS bytes (other tables of the VM move on their own) must be back.
foreach (['processes', 'session table (words)', 'sessions', 'locks', 'waiters', 'monitors'] as $k) {
    $back = $back && $after[$k] === $baseline[$k];
}
echo "node back to its baseline: ", $back ? 'yes' : 'no', "\n";
exit($failures === 0 && $bad === 0 && $counts_ok && $back ? 0 : 1);
