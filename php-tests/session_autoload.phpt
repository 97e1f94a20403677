--TEST--
Native save handler: the server is installed into a stock node (autoload), upgraded over an older version, and refused with a clear warning when autoload is off
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/session.php';
ob_start();

function stock_node(string $name, string $pa = ''): int
{
    // No -pa of target/erlang/ebin: nothing of peb's is on this node.
    return start_node($name, $pa, '/dev/null', true);
}

echo "-- autoload off: a stock node is refused\n";
$name = 'stock' . getmypid();
$pid = stock_node($name);
$node = "$name@127.0.0.1";
var_dump(node_call('code', 'is_loaded', '[~a]', [['session_handler']], $node));
use_erlang_sessions($node, ['peb.session.autoload' => '0']);
session_id(new_session_id());
var_dump(session_start());

echo "-- autoload on: installed and started, unlinked from the rpc worker\n";
ini_set('peb.session.autoload', '1');
$id = new_session_id();
var_dump(session_cycle($id, function () { $_SESSION['x'] = 'installed'; }));
var_dump(node_call('session_handler', 'version', '[]', [[]], $node));
var_dump(stored($id, $node));
$sup = node_call('erlang', 'whereis', '[~a]', [['peb_session_sup']], $node);
var_dump(is_resource($sup));
stop_node($pid, $name);

echo "-- an older server is upgraded\n";
$dir = sys_get_temp_dir() . '/peb-old-' . getmypid();
@mkdir($dir);
file_put_contents("$dir/session_handler.erl", <<<'ERL'
-module(session_handler).
-export([version/0, ensure/0]).
version() -> 0.
ensure() -> {ok, 0}.
ERL);
shell_exec('erlc -o ' . escapeshellarg($dir) . ' ' . escapeshellarg("$dir/session_handler.erl"));
$name = 'old' . getmypid();
$pid = stock_node($name, '-pa ' . escapeshellarg($dir));
$node = "$name@127.0.0.1";
var_dump(node_call('session_handler', 'version', '[]', [[]], $node));
use_erlang_sessions($node, ['peb.session.autoload' => '0']);
session_id(new_session_id());
var_dump(session_start());
ini_set('peb.session.autoload', '1');
$id = new_session_id();
var_dump(session_cycle($id, function () { $_SESSION['x'] = 'upgraded'; }));
var_dump(node_call('session_handler', 'version', '[]', [[]], $node));
stop_node($pid, $name);
array_map('unlink', glob("$dir/*"));
rmdir($dir);
ob_end_flush();
?>
--EXPECTF--
-- autoload off: a stock node is refused
string(5) "false"

Warning: session_start(): peb session: no session node could be used: stock%d@127.0.0.1 has no session_handler module; load it there or set peb.session.autoload = 1 in %s on line %d

Warning: session_start(): Failed to initialize storage module: erlang (path: stock%d@127.0.0.1) in %s on line %d
bool(false)
-- autoload on: installed and started, unlinked from the rpc worker
bool(true)
int(6)
string(18) "x|s:9:"installed";"
bool(true)
-- an older server is upgraded
int(0)

Warning: session_start(): peb session: no session node could be used: old%d@127.0.0.1 runs session_handler version 0, older than this extension's 6, and peb.session.autoload is off in %s on line %d

Warning: session_start(): Failed to initialize storage module: erlang (path: old%d@127.0.0.1) in %s on line %d
bool(false)
bool(true)
int(6)
