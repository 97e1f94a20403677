--TEST--
Sessions in an Erlang node from userland: the 2009 article's handler, made correct for PHP 8
--INI--
session.use_cookies=0
session.cache_limiter=
session.use_strict_mode=0
session.gc_probability=0
session.serialize_handler=php
--FILE--
<?php
require __DIR__ . '/../php/ErlangSessionHandler.php';
// The CLI counts headers as sent at the first output, and PHP then refuses
// to change the save handler: hold the output back.
ob_start();

$node = getenv('PEB_TEST_NODE');
$cookie = getenv('PEB_TEST_COOKIE');
$id = 'pebsession-' . bin2hex(random_bytes(8));
$bytes = implode('', array_map('chr', range(0, 255)));

// What the node holds, read past the handler.
$link = peb_connect($node, $cookie, 2000);
function node_read(string $id) {
    return peb_decode(peb_rpc('session_handler', 'read', peb_encode('[~b]', [[$id]]), $GLOBALS['link']))[0];
}

echo "-- write\n";
var_dump(session_set_save_handler(new ErlangSessionHandler($node, $cookie, 2000), true));
var_dump(session_id($id));
var_dump(session_start(), session_id() === $id);
var_dump($_SESSION);
$_SESSION['user'] = 'ada';
$_SESSION['visits'] = 1;
$_SESSION['bytes'] = $bytes;
$_SESSION['nested'] = ['pi' => 3.25, 'list' => [1, "two\0", null]];
$expected = $_SESSION;
$encoded = session_encode();
var_dump(session_write_close());

echo "-- the node holds it\n";
$held = node_read($id);
var_dump($held === $encoded, str_contains($held, $bytes), strlen($held) === strlen($encoded));

echo "-- read back in the same script\n";
$_SESSION = [];
session_id($id);
var_dump(session_start());
var_dump($_SESSION === $expected, $_SESSION['bytes'] === $bytes, strlen($_SESSION['bytes']));
$_SESSION['visits']++;
$expected['visits'] = 2;
var_dump(session_write_close());

echo "-- a second handler instance reads what the first wrote\n";
$_SESSION = [];
var_dump(session_set_save_handler(new ErlangSessionHandler($node, $cookie, 2000), true));
session_id($id);
var_dump(session_start());
var_dump($_SESSION === $expected, $_SESSION['visits']);

echo "-- gc\n";
// The node is shared with tests that leave expired sessions: only the type is certain.
var_dump(is_int(session_gc()));

echo "-- destroy\n";
var_dump(session_destroy());
var_dump(node_read($id));

echo "-- the handler called directly\n";
$h = new ErlangSessionHandler($node, $cookie, 2000);
var_dump($h->open('', 'PHPSESSID'));
var_dump($h->read($id), $h->read('pebsession-never-written'));
var_dump($h->destroy('pebsession-never-written'));
var_dump($h->write($id . '-direct', $bytes), $h->read($id . '-direct') === $bytes);
var_dump($h->destroy($id . '-direct'), $h->read($id . '-direct'));
var_dump(is_int($h->gc(1440)));
var_dump($h->close());
ob_start(); var_dump($h); print_r($h);
var_dump(str_contains(ob_get_clean(), $cookie));

echo "-- a wrong cookie\n";
$wrong = 'wrong' . bin2hex(random_bytes(8));
$bad = new ErlangSessionHandler($node, $wrong, 2000);
var_dump(session_set_save_handler($bad, true));
session_id($id);
$_SESSION = [];
$errors = [];
set_error_handler(function (int $no, string $msg) use (&$errors): bool {
    if (!(error_reporting() & $no)) {
        return false;
    }
    $errors[] = "$no: $msg";
    return true;
});
ob_start();
$started = session_start();
$output = ob_get_clean();
restore_error_handler();
var_dump($started, session_status() === PHP_SESSION_NONE, $_SESSION);
echo implode("\n", $errors), "\n";
$all = $output . implode("\n", $errors);
var_dump(str_contains($all, $cookie), str_contains($all, $wrong));
var_dump(str_contains(print_r($bad, true), $wrong));

echo "-- and the node was not touched\n";
var_dump(node_read($id));
?>
--EXPECTF--
-- write
bool(true)
string(0) ""
bool(true)
bool(true)
array(0) {
}
bool(true)
-- the node holds it
bool(true)
bool(true)
bool(true)
-- read back in the same script
bool(true)
bool(true)
bool(true)
int(256)
bool(true)
-- a second handler instance reads what the first wrote
bool(true)
bool(true)
bool(true)
int(2)
-- gc
bool(true)
-- destroy
bool(true)
string(0) ""
-- the handler called directly
bool(true)
string(0) ""
string(0) ""
bool(true)
bool(true)
bool(true)
bool(true)
string(0) ""
bool(true)
bool(true)
bool(false)
-- a wrong cookie
bool(true)
bool(false)
bool(true)
array(0) {
}
512: ErlangSessionHandler: cannot connect to %s: %s closed the connection during the handshake (is the cookie right?)
2: session_start(): Failed to initialize storage module: user (path: %S)
bool(false)
bool(false)
bool(false)
-- and the node was not touched
string(0) ""
