--TEST--
Native save handler: locking makes 4 processes x 250 increments of one session's counter end at exactly 1000; without locking updates are lost
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/session.php';
// A node of this test's own: the lock counters are checked at the end.
$name = 'race' . getmypid();
$pid = start_node($name);
$node = "$name@127.0.0.1";

$worker = <<<'PHP'
$id = getenv('SID');
$ok = 0;
for ($i = 0; $i < (int) getenv('ROUNDS'); $i++) {
    session_id($id);
    if (!session_start()) { continue; }
    $_SESSION['n'] = ($_SESSION['n'] ?? 0) + 1;
    usleep((int) getenv('HOLD_US'));
    if (session_write_close()) { $ok++; }
}
echo "$ok\n";
PHP;

function race(string $node, string $worker, string $locking, int $rounds, int $hold_us): array
{
    $id = new_session_id();
    $ini = erlang_session_ini($node, ['peb.session.locking' => $locking, 'peb.default_timeout' => '5000']);
    $children = [];
    for ($p = 0; $p < 4; $p++) {
        $children[] = php_child($worker, $ini, ['SID' => $id, 'ROUNDS' => $rounds, 'HOLD_US' => $hold_us]);
    }
    $ok = 0;
    $out = '';
    foreach ($children as $c) {
        $o = php_child_wait($c);
        $ok += (int) $o;
        if (!preg_match('/^\d+\n$/', $o)) { $out .= $o; }
    }
    preg_match('/n\|i:(\d+);/', stored($id, $node), $m);
    return [$ok, (int) ($m[1] ?? -1), $out];
}

[$ok, $n, $out] = race($node, $worker, '1', 250, 0);
echo "locking on: $ok cycles succeeded, counter $n\n", $out;

[$ok, $n, $out] = race($node, $worker, '0', 50, 2000);
echo "locking off: $ok cycles succeeded, updates lost: ", $n < 200 ? 'yes' : 'no', "\n", $out;

$stats = server_stats($node);
echo "locks {$stats['locks']}, waiters {$stats['waiters']}, monitors {$stats['monitors']}\n";
stop_node($pid, $name);
?>
--EXPECT--
locking on: 1000 cycles succeeded, counter 1000
locking off: 200 cycles succeeded, updates lost: yes
locks 0, waiters 0, monitors 0
