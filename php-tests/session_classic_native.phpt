--TEST--
Native save handler and the userland ErlangSessionHandler share sessions both ways on a node prepared the classic way
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/session.php';
require __DIR__ . '/../php/ErlangSessionHandler.php';
ob_start();
// The test node was prepared the classic way: session_handler:start().

echo "-- native writes, userland reads\n";
use_erlang_sessions();
$id = new_session_id();
session_cycle($id, function () { $_SESSION['from'] = 'native'; $_SESSION['bytes'] = "\0\xff"; });
session_set_save_handler(new ErlangSessionHandler(test_node(), test_cookie(), 2000), true);
session_id($id);
var_dump(session_start(), $_SESSION['from'], bin2hex($_SESSION['bytes']));
$_SESSION['from'] = 'userland';
session_write_close();

echo "-- userland writes, native reads\n";
ini_set('session.save_handler', 'erlang');
session_id($id);
var_dump(session_start(), session_module_name(), $_SESSION['from'], $_SESSION['bytes'] === "\0\xff");
session_abort();
ob_end_flush();
?>
--EXPECT--
-- native writes, userland reads
bool(true)
string(6) "native"
string(4) "00ff"
-- userland writes, native reads
bool(true)
string(6) "erlang"
string(8) "userland"
bool(true)
