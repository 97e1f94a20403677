--TEST--
Native save handler: a lock is freed at once when its holder is killed, waits at most lock_wait, and expires after lock_expire
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/session.php';
ob_start();
$name = 'lock' . getmypid();
$pid = start_node($name);
$node = "$name@127.0.0.1";
use_erlang_sessions($node, ['peb.session.lock_wait' => '20000']);

$holder = <<<'PHP'
session_id(getenv('SID'));
var_dump(session_start());
$_SESSION['by'] = 'holder';
echo "holding\n";
sleep(60);
PHP;

echo "-- the holder is killed with SIGKILL: the next request gets the lock at once\n";
$id = new_session_id();
session_cycle($id, function () { $_SESSION['by'] = 'first'; });
$h = php_child($holder, erlang_session_ini($node), ['SID' => $id]);
echo php_child_line($h), php_child_line($h);
$t0 = hrtime(true);
proc_terminate($h[0], 9);
session_id($id);
var_dump(session_start());
$ms = ms_since($t0);
echo "waited under 2 s: ", $ms < 2000 ? 'yes' : "no ($ms ms)", "\n";
var_dump($_SESSION['by']);
session_write_close();
php_child_wait($h);

echo "-- a request waits at most peb.session.lock_wait\n";
$h = php_child($holder, erlang_session_ini($node), ['SID' => $id]);
echo php_child_line($h), php_child_line($h);
ini_set('peb.session.lock_wait', '700');
$t0 = hrtime(true);
session_id($id);
var_dump(session_start());
$ms = ms_since($t0);
echo "gave up after 700 ms to 3 s: ", $ms >= 650 && $ms < 3000 ? 'yes' : "no ($ms ms)", "\n";
var_dump(session_status() === PHP_SESSION_NONE);

echo "-- a held lock expires after peb.session.lock_expire\n";
proc_terminate($h[0], 9);
php_child_wait($h);
$h = php_child($holder, erlang_session_ini($node, ['peb.session.lock_expire' => '1']), ['SID' => $id]);
echo php_child_line($h), php_child_line($h);
ini_set('peb.session.lock_wait', '10000');
$t0 = hrtime(true);
session_id($id);
var_dump(session_start());
$ms = ms_since($t0);
echo "got it after 0.5 to 5 s: ", $ms >= 500 && $ms < 5000 ? 'yes' : "no ($ms ms)", "\n";
session_write_close();
proc_terminate($h[0], 9);
php_child_wait($h);

echo "-- a holder whose lock expired writes nothing, and is told so before its request ends\n";
$late = <<<'PHP'
session_id(getenv('SID'));
session_start();
echo "holding\n";
usleep(2_500_000);
$_SESSION['by'] = 'late holder';
var_dump(session_write_close());
echo "end of script\n";
PHP;
$h = php_child($late, erlang_session_ini($node, ['peb.session.lock_expire' => '1']), ['SID' => $id]);
echo php_child_line($h);
session_id($id);
var_dump(session_start());
$_SESSION['by'] = 'next holder';
session_write_close();
echo preg_replace('/ in .* on line \d+/', '', php_child_wait($h));
var_dump(stored($id, $node));

usleep(300_000);
$stats = server_stats($node);
echo "locks {$stats['locks']}, waiters {$stats['waiters']}, monitors {$stats['monitors']}\n";
stop_node($pid, $name);
ob_end_flush();
?>
--EXPECTF--
-- the holder is killed with SIGKILL: the next request gets the lock at once
bool(true)
holding
bool(true)
waited under 2 s: yes
string(5) "first"
-- a request waits at most peb.session.lock_wait
bool(true)
holding

Warning: session_start(): peb session: gave up waiting for the session's lock after 700 ms (peb.session.lock_wait) in %s on line %d

Warning: session_start(): Failed to read session data: erlang (path: lock%d@127.0.0.1) in %s on line %d
bool(false)
gave up after 700 ms to 3 s: yes
bool(true)
-- a held lock expires after peb.session.lock_expire
bool(true)
holding
bool(true)
got it after 0.5 to 5 s: yes
-- a holder whose lock expired writes nothing, and is told so before its request ends
holding
bool(true)
bool(true)
end of script

Warning: PHP Request Shutdown: peb session: the session's lock was lost before the write (it expired, see peb.session.lock_expire, or went with a failed node) and the session changed since; nothing was written
string(22) "by|s:11:"next holder";"
locks 0, waiters 0, monitors 0
