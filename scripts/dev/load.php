<?php
// Load held: PROCS PHP processes (4) doing session cycles for SECONDS (60)
// on a few shared sessions, each incrementing counters under the session
// lock; then every stored counter must equal the increments the processes
// made (no lost update), no cycle may have failed, and the node must be
// back to its baseline (processes, session table, locks, monitors) once
// the sessions are destroyed. Run by scripts/dev/load.
require __DIR__ . '/../lib/php/session.php';

$procs = (int) ($argv[1] ?? 4);
$seconds = (int) ($argv[2] ?? 60);
$ids = array_map(fn ($i) => "load{$i}" . bin2hex(random_bytes(10)), range(1, 8));

$worker = <<<'PHP'
$ids = explode(',', getenv('IDS'));
$end = hrtime(true) + (int) getenv('SECONDS') * 1_000_000_000;
$done = array_fill_keys($ids, 0);
$errors = 0;
set_error_handler(function ($no, $msg) use (&$errors) { $errors++; fwrite(STDERR, "$msg\n"); return true; });
$i = 0;
while (hrtime(true) < $end) {
    $id = $ids[$i++ % count($ids)];
    session_id($id);
    if (!session_start()) {
        $errors++;
        continue;
    }
    $_SESSION['n'] = ($_SESSION['n'] ?? 0) + 1;
    if (session_write_close()) {
        $done[$id]++;
    } else {
        $errors++;
    }
}
echo json_encode(['done' => $done, 'errors' => $errors]), "\n";
PHP;

/** What the node holds: processes, ETS words of the session table, the server's load. */
function node_state(): array
{
    $s = server_stats();
    return [
        'processes' => node_call('erlang', 'system_info', '[~a]', [['process_count']]),
        'session table (words)' => node_call('ets', 'info', '[~a,~a]', [['session_handler', 'memory']]),
        'sessions' => $s['sessions'],
        'locks' => $s['locks'],
        'waiters' => $s['waiters'],
        'monitors' => $s['monitors'],
    ];
}

use_erlang_sessions();
// The server is installed and warm before the baseline is taken.
session_cycle($ids[0], function () {});
session_id($ids[0]);
session_start();
session_destroy();
usleep(300_000);
$baseline = node_state();

$children = [];
for ($p = 0; $p < $procs; $p++) {
    $children[] = php_child($worker, erlang_session_ini(), ['IDS' => implode(',', $ids), 'SECONDS' => (string) $seconds]);
}
$done = array_fill_keys($ids, 0);
$errors = 0;
$stderr = '';
foreach ($children as [$proc, $pipes]) {
    $out = json_decode(stream_get_contents($pipes[1]), true);
    $stderr .= stream_get_contents($pipes[2]);
    fclose($pipes[1]);
    fclose($pipes[2]);
    proc_close($proc);
    if (!is_array($out)) {
        $errors++;
        continue;
    }
    foreach ($out['done'] as $id => $n) {
        $done[$id] += $n;
    }
    $errors += $out['errors'];
}
$lost = 0;
foreach ($ids as $id) {
    $stored = stored($id);
    $n = preg_match('/n\|i:(\d+);/', $stored, $m) ? (int) $m[1] : 0;
    $lost += $done[$id] - $n;
}
foreach ($ids as $id) {
    session_id($id);
    session_start();
    session_destroy();
}
// The children's links are gone: the node drops their monitors.
usleep(500_000);
$after = node_state();
$total = array_sum($done);
printf("%d processes x %d s: %d session cycles (%.0f/s), %d errors, %d lost updates\n",
    $procs, $seconds, $total, $total / $seconds, $errors, $lost);
echo "node after the load (baseline -> after):";
foreach ($baseline as $k => $v) {
    printf(" %s %s -> %s;", $k, $v, $after[$k]);
}
echo "\nnode back to its baseline: ", $after === $baseline ? 'yes' : 'no', "\n";
if ($stderr !== '') {
    echo $stderr;
}
exit($errors === 0 && $lost === 0 && $total > 0 && $after === $baseline ? 0 : 1);
