--TEST--
Session tags (ETS store): peb_session_tag() rides with the session's write, the store keeps tags across requests, count/ids/destroy by tag from PHP and Erlang, destroy under a held lock, argument errors, no active session, the store down
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/session.php';
ob_start();
$name = 'tags' . getmypid();
$pid = start_node($name);
$node = "$name@127.0.0.1";
use_erlang_sessions($node);

echo "-- no active session: a warning and false\n";
var_dump(peb_session_tag('user:1'));
var_dump(peb_session_tags());
var_dump(peb_session_count_tagged('user:1'));

echo "-- argument errors throw\n";
foreach ([fn() => peb_session_tag(42), fn() => peb_session_tag(''), fn() => peb_session_tag(str_repeat('x', 256)),
          fn() => peb_session_count_tagged([]), fn() => peb_session_destroy_tagged('')] as $f) {
    try { $f(); echo "no error\n"; } catch (Throwable $e) { echo get_class($e), ': ', $e->getMessage(), "\n"; }
}

echo "-- three sessions, two of user 1 (one also admin), one of user 2\n";
$ids = [new_session_id(), new_session_id(), new_session_id()];
session_cycle($ids[0], function () { $_SESSION['user'] = 1; var_dump(peb_session_tag('user:1', 'role:admin', 'user:1')); });
session_cycle($ids[1], function () { $_SESSION['user'] = 1; peb_session_tag('user:1'); var_dump(peb_session_tags()); });
session_cycle($ids[2], function () { $_SESSION['user'] = 2; peb_session_tag('user:2'); });
// A later request that does not tag again keeps the tags (the store has them).
session_cycle($ids[0], function () { $_SESSION['n'] = 1; });
session_id($ids[2]);
session_start();
var_dump(peb_session_count_tagged('user:1'), peb_session_count_tagged('role:admin'), peb_session_count_tagged('nobody'));
$got = peb_session_ids_tagged('user:1');
sort($got);
$want = [$ids[0], $ids[1]];
sort($want);
var_dump($got === $want);
echo "from Erlang: ", node_call('peb_session', 'count_tagged', '[~b]', [['user:1']], $node), "\n";

echo "-- a lazy write of unchanged data still stores new tags\n";
session_write_close();
ini_set('session.lazy_write', '1');
session_cycle($ids[2], function () { peb_session_tag('team:a'); });
var_dump(node_call('peb_session', 'sessions_tagged', '[~b]', [['team:a']], $node) === [$ids[2]]);

echo "-- log out everywhere: user 1's sessions are destroyed\n";
session_id($ids[2]);
session_start();
var_dump(peb_session_destroy_tagged('user:1'));
var_dump(peb_session_count_tagged('user:1'), peb_session_count_tagged('role:admin'));
session_write_close();
var_dump(stored($ids[0], $node), stored($ids[1], $node), stored($ids[2], $node) !== '');
session_id($ids[0]);
session_start();
var_dump($_SESSION);
session_write_close();

echo "-- destroyed while another request holds the lock: its write is refused, the session stays destroyed\n";
$id = new_session_id();
session_cycle($id, function () { $_SESSION['user'] = 3; peb_session_tag('user:3'); });
$holder = <<<'PHP'
session_id(getenv('SID'));
session_start();
echo "holding\n";
while (!file_exists(getenv('GO'))) { usleep(20_000); }
$_SESSION['more'] = 'from the holder';
var_dump(session_write_close());
echo "end of script\n";
PHP;
$go = sys_get_temp_dir() . "/peb-tags-go-" . getmypid();
@unlink($go);
$h = php_child($holder, erlang_session_ini($node), ['SID' => $id, 'GO' => $go]);
echo php_child_line($h);
session_id($ids[2]);
session_start();
var_dump(peb_session_destroy_tagged('user:3'));
session_write_close();
touch($go);
echo preg_replace('/ in .* on line \d+/', '', php_child_wait($h));
unlink($go);
var_dump(stored($id, $node));
var_dump(node_call('peb_session', 'count_tagged', '[~b]', [['user:3']], $node));
$stats = server_stats($node);
echo "locks {$stats['locks']}, waiters {$stats['waiters']}\n";

echo "-- the store goes down under an active session: a warning and false\n";
session_id($ids[2]);
session_start();
stop_node($pid, $name);
var_dump(peb_session_count_tagged('user:2'));
var_dump(peb_session_tag('late'));
session_abort();
ob_end_flush();
?>
--EXPECTF--
-- no active session: a warning and false

Warning: peb_session_tag(): no session is active (session_start() with session.save_handler = erlang first) in %s on line %d
bool(false)

Warning: peb_session_tags(): no session is active (session_start() with session.save_handler = erlang first) in %s on line %d
bool(false)

Warning: peb_session_count_tagged(): no session is active (session_start() with session.save_handler = erlang first) in %s on line %d
bool(false)
-- argument errors throw
TypeError: peb_session_tag(): Argument #1 ($tags) must be of type string, int given
ValueError: peb_session_tag(): Argument #1 ($tags) must not be empty
ValueError: peb_session_tag(): Argument #1 ($tags) must be at most 255 bytes, 256 given
TypeError: peb_session_count_tagged(): Argument #1 ($tag) must be of type string, array given
ValueError: peb_session_destroy_tagged(): Argument #1 ($tag) must not be empty
-- three sessions, two of user 1 (one also admin), one of user 2
bool(true)
array(1) {
  [0]=>
  string(6) "user:1"
}
int(2)
int(1)
int(0)
bool(true)
from Erlang: 2
-- a lazy write of unchanged data still stores new tags
bool(true)
-- log out everywhere: user 1's sessions are destroyed
int(2)
int(0)
int(0)
string(0) ""
string(0) ""
bool(true)
array(0) {
}
-- destroyed while another request holds the lock: its write is refused, the session stays destroyed
holding
int(1)
bool(true)
end of script

Warning: PHP Request Shutdown: peb session: the session's lock was lost before the write (it expired, see peb.session.lock_expire, or went with a failed node) and the session changed since; nothing was written
string(0) ""
int(0)
locks 0, waiters 0
-- the store goes down under an active session: a warning and false

Warning: peb_session_count_tagged(): %s in %s on line %d
bool(false)
bool(true)
