--TEST--
Native save handler, autoload on one OTP: the node compiles the carried source when told to (the way a node of another OTP gets the server), gets the beams without a compiler, and a node that can take neither gets one error naming both OTP releases
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/session.php';
ob_start();

/** A stock node (nothing of peb's on its path) started with `$args`; its pid. */
function bare_node(string $name, string $args = ''): int
{
    return start_node($name, $args, '/dev/null', true);
}

/**
 * Waits until the node's -eval took effect (epmd knows a node before it
 * runs it): `$m:$f(Arg)` answers `$want`; what it last answered.
 */
function settled(string $node, string $m, string $f, string $arg, $want)
{
    for ($i = 0; $i < 50 && ($got = node_call($m, $f, '[~a]', [[$arg]], $node)) !== $want; $i++) {
        usleep(100_000);
    }
    return $got;
}

/** Whether the node's session_handler came from the carried source, compiled by the node's own compiler. */
function compiled_on_node(string $node): bool
{
    $info = node_call('session_handler', 'module_info', '[~a]', [['compile']], $node);
    // erlc records the source file; compile:forms/2 has none to record.
    return !array_key_exists('source', array_column(array_map(fn ($t) => [$t[0], $t[1]], $info), 1, 0));
}

/** The OTP release this extension's beams were compiled by, as phpinfo() shows it. */
function build_otp(): string
{
    ob_start();
    phpinfo(INFO_MODULES);
    preg_match('/built with OTP (\d+)/', ob_get_clean(), $m);
    return $m[1] ?? '?';
}

// Without the compiler application on its code path, as on a node made of
// erlang-base's runtime alone.
$no_compiler = "-eval 'code:del_path(compiler)'";

echo "-- PEB_AUTOLOAD_FROM=source: the node compiles the carried forms\n";
putenv('PEB_AUTOLOAD_FROM=source');
$name = 'src' . getmypid();
$pid = bare_node($name);
$node = "$name@127.0.0.1";
use_erlang_sessions($node, ['peb.session.autoload' => '1']);
$id = new_session_id();
var_dump(session_cycle($id, function () { $_SESSION['x'] = 'compiled'; }));
var_dump(stored($id, $node));
var_dump(compiled_on_node($node));
var_dump(node_call('session_handler', 'version', '[]', [[]], $node));
stop_node($pid, $name);

echo "-- the rule: same OTP, no compiler: the beams (a node over two releases newer may refuse them: then one error naming both releases)\n";
putenv('PEB_AUTOLOAD_FROM');
$name = 'beams' . getmypid();
$pid = bare_node($name, $no_compiler);
$node = "$name@127.0.0.1";
var_dump(settled($node, 'code', 'lib_dir', 'compiler', ['error', 'bad_name']));
$beams_otp = node_call('erlang', 'system_info', '[~a]', [['otp_release']], $node);
use_erlang_sessions($node, ['peb.session.autoload' => '1']);
$id = new_session_id();
$refusals = [];
set_error_handler(function (int $no, string $msg) use (&$refusals) { $refusals[] = $msg; return true; });
$served = session_cycle($id, function () { $_SESSION['x'] = 'beams'; });
restore_error_handler();
if ($served) {
    echo "served from the beams: ", var_export(stored($id, $node) === 'x|s:5:"beams";' && !compiled_on_node($node), true), "\n";
} else {
    // OTP loads beams from two releases back at most (OTP 29 refuses some of OTP 25's).
    echo "served from the beams: ", var_export((int) $beams_otp > (int) build_otp() + 2
        && str_contains($refusals[0] ?? '', "(OTP $beams_otp; this peb's beams are from OTP " . build_otp() . "'s erlc)")
        && str_contains($refusals[0] ?? '', 'the node has no compiler application'), true), "\n";
}
stop_node($pid, $name);

echo "-- source forced, no compiler: one error naming both releases\n";
putenv('PEB_AUTOLOAD_FROM=source');
$name = 'nocomp' . getmypid();
$pid = bare_node($name, $no_compiler);
$node = "$name@127.0.0.1";
settled($node, 'code', 'lib_dir', 'compiler', ['error', 'bad_name']);
$node_otp = node_call('erlang', 'system_info', '[~a]', [['otp_release']], $node);
use_erlang_sessions($node, ['peb.session.autoload' => '1']);
session_id(new_session_id());
$warnings = [];
set_error_handler(function (int $no, string $msg) use (&$warnings) { $warnings[] = $msg; return false; });
var_dump(session_start());
restore_error_handler();
var_dump(node_call('code', 'is_loaded', '[~a]', [['session_handler']], $node));
stop_node($pid, $name);
putenv('PEB_AUTOLOAD_FROM');

echo "-- a module the node refuses (a sticky one in the way), as beams then compiled there (a node over two releases newer: compiled only): one error\n";
$dir = sys_get_temp_dir() . '/peb-sticky-' . getmypid();
@mkdir($dir);
file_put_contents("$dir/peb_session_store.erl", "-module(peb_session_store).\n");
shell_exec('erlc -o ' . escapeshellarg($dir) . ' ' . escapeshellarg("$dir/peb_session_store.erl"));
$name = 'sticky' . getmypid();
$pid = bare_node($name, sprintf(
    "-pa %s -eval 'code:stick_dir(\"%s\"), code:ensure_loaded(peb_session_store)'",
    escapeshellarg($dir), $dir
));
$node = "$name@127.0.0.1";
var_dump(settled($node, 'code', 'is_sticky', 'peb_session_store', 'true'));
use_erlang_sessions($node, ['peb.session.autoload' => '1']);
session_id(new_session_id());
var_dump(session_start());
stop_node($pid, $name);
array_map('unlink', glob("$dir/*"));
rmdir($dir);

echo "-- the releases named are the build's (phpinfo) and the node's (otp_release)\n";
var_dump(str_contains($warnings[0], "(OTP $node_otp; this peb's beams are from OTP " . build_otp() . "'s erlc)"));
ob_end_flush();
?>
--EXPECTF--
-- PEB_AUTOLOAD_FROM=source: the node compiles the carried forms
bool(true)
string(17) "x|s:8:"compiled";"
bool(true)
int(6)
-- the rule: same OTP, no compiler: the beams (a node over two releases newer may refuse them: then one error naming both releases)
array(2) {
  [0]=>
  string(5) "error"
  [1]=>
  string(8) "bad_name"
}
served from the beams: true
-- source forced, no compiler: one error naming both releases

Warning: session_start(): peb session: no session node could be used: cannot install the session server into nocomp%d@127.0.0.1 (OTP %d; this peb's beams are from OTP %d's erlc): the node has no compiler application to compile the carried source (PEB_AUTOLOAD_FROM=source) in %s on line %d

Warning: session_start(): Failed to initialize storage module: erlang (path: nocomp%d@127.0.0.1) in %s on line %d
bool(false)
string(5) "false"
-- a module the node refuses (a sticky one in the way), as beams then compiled there (a node over two releases newer: compiled only): one error
string(4) "true"

Warning: session_start(): peb session: no session node could be used: cannot install the session server into sticky%d@127.0.0.1 (OTP %d; this peb's beams are from OTP %d's erlc): the node refused to load peb_session_store: {error,sticky_directory}%r(; compiled on the node instead: the node refused to load peb_session_store: \{error,sticky_directory\})?%r in %s on line %d

Warning: session_start(): Failed to initialize storage module: erlang (path: sticky%d@127.0.0.1) in %s on line %d
bool(false)
-- the releases named are the build's (phpinfo) and the node's (otp_release)
bool(true)
