--TEST--
Security: peb.session.max_size refuses a larger session whole, with a warning; the stored session is unchanged and its lock free at once
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/session.php';
ob_start();
use_erlang_sessions();
echo "default: ", ini_get('peb.session.max_size'), "\n";
ini_set('peb.session.max_size', '1000');
$id = new_session_id();
var_dump(session_cycle($id, function () { $_SESSION['small'] = str_repeat('s', 100); }));
$before = stored($id);

echo "-- over the limit\n";
session_id($id);
session_start();
$_SESSION['big'] = str_repeat('b', 2000);
var_dump(session_write_close());
var_dump(stored($id) === $before);

echo "-- the lock was released: the next request gets it at once\n";
$t0 = hrtime(true);
session_id($id);
var_dump(session_start(), array_keys($_SESSION));
echo "at once: ", ms_since($t0) < 1000 ? 'yes' : 'no', "\n";
session_write_close();

echo "-- 0: no limit\n";
ini_set('peb.session.max_size', '0');
var_dump(session_cycle($id, function () { $_SESSION['big'] = str_repeat('b', 2000); }), strlen(stored($id)) > 2000);
ob_end_flush();
?>
--EXPECTF--
default: 16777216
bool(true)
-- over the limit

Warning: session_write_close(): peb session: the session data is 2129 bytes, over peb.session.max_size (1000 bytes); nothing was written in %s on line %d

Warning: session_write_close(): Failed to write session data (erlang). Please verify that the current setting of session.save_path is correct (%s) in %s on line %d
bool(true)
bool(true)
-- the lock was released: the next request gets it at once
bool(true)
array(1) {
  [0]=>
  string(5) "small"
}
at once: yes
-- 0: no limit
bool(true)
bool(true)
