<?php
// Load held: PROCS PHP processes (4) doing session cycles for SECONDS (60)
// on a few shared sessions, each incrementing counters under the session
// lock; then every stored counter must equal the increments the processes
// made (no lost update) and no cycle may have failed. Run by scripts/load.
require __DIR__ . '/../php-tests/session.inc';

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
$total = array_sum($done);
printf("%d processes x %d s: %d session cycles (%.0f/s), %d errors, %d lost updates\n",
    $procs, $seconds, $total, $total / $seconds, $errors, $lost);
if ($stderr !== '') {
    echo $stderr;
}
exit($errors === 0 && $lost === 0 && $total > 0 ? 0 : 1);
