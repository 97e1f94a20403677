--TEST--
Links: wrong cookie, unknown node, bad names and bad arguments fail clearly, never showing the cookie
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/node.php';
$node = test_node();
$secret = test_cookie();
ob_start();
set_error_handler(function ($no, $msg) { echo "warning: $msg\n"; return true; });

$t0 = hrtime(true);
var_dump(peb_connect($node, 'not-the-cookie', 2000), peb_errorno(), peb_error());
var_dump(peb_connect('nobody@127.0.0.1', $secret, 2000), peb_errorno(), peb_error());
var_dump(peb_connect('no-at-sign', $secret, 2000), peb_errorno(), peb_error());
var_dump(peb_pconnect('nobody@127.0.0.1', $secret, 500), peb_errorno());
echo "failures took under 2 s: ", var_export(ms_since($t0) < 2000, true), "\n";

$l = peb_connect($node, $secret);
foreach ([
    fn () => peb_connect($node, $secret, 0),
    fn () => peb_rpc('erlang', 'node', 'not a term', $l),
    fn () => peb_rpc('', 'node', peb_encode('[]', [[]]), $l),
    fn () => peb_rpc(str_repeat('m', 256), 'node', peb_encode('[]', [[]]), $l),
    fn () => peb_rpc('erlang', 'node', peb_encode('[]', [[]]), peb_encode('[]', [[]])),
    fn () => peb_send_bypid(peb_encode('~a', ['x']), peb_encode('~a', ['x']), $l),
    fn () => peb_receive($l, -5),
] as $f) {
    try { var_dump($f()); } catch (Throwable $e) { echo get_class($e), ': ', $e->getMessage(), "\n"; }
}
ob_start();
phpinfo(INFO_MODULES);
$info = ob_get_clean();
ini_set('peb.default_cookie', $secret);
ob_start();
phpinfo(INFO_MODULES);
$info .= ob_get_clean();
echo "phpinfo shows the settings: ", var_export(str_contains($info, 'peb.default_timeout'), true), "\n";
$all = ob_get_clean() . $info . print_r(peb_linkinfo($l), true);
echo $all === '' ? '' : preg_replace('/[0-9]+ ms/', 'N ms', explode("phpinfo()", $all)[0]);
echo "the cookie appears nowhere: ", var_export(!str_contains($all, $secret), true), "\n";
?>
--EXPECTF--
warning: peb_connect(): %s closed the connection during the handshake (is the cookie right?)
bool(false)
int(2)
string(%d) "%s closed the connection during the handshake (is the cookie right?)"
warning: peb_connect(): node nobody@127.0.0.1 is not registered with epmd on 127.0.0.1
bool(false)
int(2)
string(62) "node nobody@127.0.0.1 is not registered with epmd on 127.0.0.1"
warning: peb_connect(): 'no-at-sign' is not a node name of the form name@host
bool(false)
int(2)
string(53) "'no-at-sign' is not a node name of the form name@host"
warning: peb_pconnect(): node nobody@127.0.0.1 is not registered with epmd on 127.0.0.1
bool(false)
int(2)
failures took under 2 s: true
ValueError: peb_connect(): Argument #3 ($timeout_ms) must be greater than 0, 0 given
TypeError: peb_rpc(): Argument #3 ($args) must be an Erlang Term resource, string given
ValueError: peb_rpc(): Argument #1 ($module) must be an atom name of 1 to 255 characters
ValueError: peb_rpc(): Argument #1 ($module) must be an atom name of 1 to 255 characters
TypeError: peb_rpc(): Argument #4 ($link) must be a PHP-Erlang Bridge link, resource (Erlang Term) given
TypeError: peb_send_bypid(): Argument #1 ($pid) must be an Erlang Pid resource, resource (Erlang Term) given
ValueError: peb_receive(): Argument #2 ($timeout_ms) must be greater than 0, -5 given
phpinfo shows the settings: true
the cookie appears nowhere: true
