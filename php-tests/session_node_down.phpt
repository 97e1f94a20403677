--TEST--
Native save handler: a node that is down gives a warning naming it (never the cookie) and session_start() false within the timeout; the next node of save_path serves instead
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/session.php';
ob_start();
$down = 'nobody' . getmypid() . '@127.0.0.1';

echo "-- the only node is down\n";
use_erlang_sessions($down, ['peb.default_timeout' => '1000']);
$t0 = hrtime(true);
session_id(new_session_id());
var_dump(session_start());
$ms = ms_since($t0);
echo "within the timeout: ", $ms < 1500 ? 'yes' : "no ($ms ms)", "\n";

echo "-- failover: the second node of save_path serves\n";
use_erlang_sessions("$down, " . test_node(), ['peb.default_timeout' => '1000']);
$id = new_session_id();
var_dump(session_cycle($id, function () { $_SESSION['via'] = 'second'; }));
var_dump(stored($id));
session_id($id);
var_dump(session_start(), $_SESSION['via']);
session_abort();

echo "-- a node that goes down between requests: the next one takes over\n";
$name = 'fail' . getmypid();
$pid = start_node($name);
use_erlang_sessions("$name@127.0.0.1," . test_node(), ['peb.default_timeout' => '1000']);
$id = new_session_id();
session_cycle($id, function () { $_SESSION['on'] = 'first'; });
var_dump(stored($id, "$name@127.0.0.1"));
stop_node($pid, $name, 9);
$t0 = hrtime(true);
var_dump(session_cycle($id, function () { $_SESSION['on'] = 'second'; }));
echo "switched within the timeout: ", ms_since($t0) < 1500 ? 'yes' : 'no', "\n";
var_dump(stored($id));
$out = ob_get_clean();
echo $out;
var_dump(str_contains($out, test_cookie()));
?>
--EXPECTF--
-- the only node is down

Warning: session_start(): peb session: no session node could be used: %snobody%d@127.0.0.1%s in %s on line %d

Warning: session_start(): Failed to initialize storage module: erlang (path: nobody%d@127.0.0.1) in %s on line %d
bool(false)
within the timeout: yes
-- failover: the second node of save_path serves
bool(true)
string(17) "via|s:6:"second";"
bool(true)
string(6) "second"
-- a node that goes down between requests: the next one takes over
string(15) "on|s:5:"first";"
bool(true)
switched within the timeout: yes
string(16) "on|s:6:"second";"
bool(false)
