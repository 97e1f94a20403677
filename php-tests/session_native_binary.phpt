--TEST--
Native save handler: data is stored as it is, all 256 byte values and 8 MB
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/session.php';
ob_start();
use_erlang_sessions(null, ['peb.default_timeout' => '10000']);
$id = new_session_id();
$bytes = implode('', array_map('chr', range(0, 255)));
$big = random_bytes(8 << 20);

var_dump(session_cycle($id, function () use ($bytes, $big) {
    $_SESSION['bytes'] = $bytes;
    $_SESSION['big'] = $big;
}));
$encoded = 'bytes|s:256:"' . $bytes . '";big|s:' . strlen($big) . ':"' . $big . '";';
var_dump(stored($id) === $encoded);

session_id($id);
var_dump(session_start());
var_dump($_SESSION['bytes'] === $bytes, $_SESSION['big'] === $big);
session_abort();

echo "-- raw bytes through the php_binary serializer\n";
ini_set('session.serialize_handler', 'php_binary');
$id2 = new_session_id();
var_dump(session_cycle($id2, function () use ($bytes) { $_SESSION[str_repeat('k', 10)] = $bytes; }));
$s = stored($id2);
var_dump(strlen($s), str_contains($s, $bytes));
ob_end_flush();
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
-- raw bytes through the php_binary serializer
bool(true)
int(276)
bool(true)
