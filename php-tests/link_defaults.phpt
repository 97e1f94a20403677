--TEST--
php.ini defaults: peb_connect() with arguments left out uses peb.default_nodename, peb.default_cookie, and ~/.erlang.cookie when the cookie setting is empty
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/node.php';
$nil = peb_encode('[]', [[]]);
ini_set('peb.default_nodename', test_node());
ini_set('peb.default_cookie', test_cookie());
$l = peb_connect();
var_dump(peb_decode(peb_rpc('erlang', 'node', $nil, $l))[0] === test_node());

// An empty cookie setting means the cookie file, as Erlang reads it.
$home = sys_get_temp_dir() . '/peb-home-' . getmypid();
@mkdir($home);
file_put_contents("$home/.erlang.cookie", test_cookie() . "\n");
putenv("HOME=$home");
ini_set('peb.default_cookie', '');
$l2 = peb_connect(test_node());
var_dump(peb_decode(peb_rpc('erlang', 'node', $nil, $l2))[0] === test_node());
file_put_contents("$home/.erlang.cookie", "wrong\n");
var_dump(@peb_connect(test_node(), null, 1000), peb_errorno());
unlink("$home/.erlang.cookie");
rmdir($home);

// An empty node with no default is a programming error.
ini_set('peb.default_nodename', '');
try { peb_connect(); } catch (ValueError $e) { echo $e->getMessage(), "\n"; }
?>
--EXPECT--
bool(true)
bool(true)
bool(false)
int(2)
peb_connect(): Argument #1 ($node) is empty and so is peb.default_nodename
