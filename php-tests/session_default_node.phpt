--TEST--
Native save handler: an empty session.save_path means peb.default_nodename; with neither, a clear warning
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/session.php';
ob_start();
use_erlang_sessions('', ['peb.default_nodename' => test_node()]);
$id = new_session_id();
var_dump(session_cycle($id, function () { $_SESSION['via'] = 'default node'; }));
var_dump(stored($id));

ini_set('peb.default_nodename', '');
session_id(new_session_id());
var_dump(session_start());
ob_end_flush();
?>
--EXPECTF--
bool(true)
string(24) "via|s:12:"default node";"

Warning: session_start(): peb session: session.save_path names no node, and peb.default_nodename is empty in %s on line %d

Warning: session_start(): Failed to initialize storage module: erlang (path: ) in %s on line %d
bool(false)
