--TEST--
Native save handler: a session kept in the node, set up by ini settings alone, read back, and visible in the store
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/session.php';
ob_start();
use_erlang_sessions();
$id = new_session_id();

echo "-- a new session reads as empty\n";
session_id($id);
var_dump(session_start(), session_id() === $id, $_SESSION, session_module_name());
$_SESSION['user'] = 'ada';
$_SESSION['n'] = 1;
var_dump(session_write_close());

echo "-- the node holds what PHP wrote\n";
var_dump(stored($id) === 'user|s:3:"ada";n|i:1;');

echo "-- read back and changed\n";
var_dump(session_cycle($id, function () { var_dump($_SESSION); $_SESSION['n']++; }));
session_id($id);
session_start();
var_dump($_SESSION['n']);
session_abort();

echo "-- php.ini alone: a child process with no session code but session_start()\n";
$child = php_child('session_id(getenv("SID")); session_start(); $_SESSION["n"] += 10; echo json_encode($_SESSION), "\n";',
    erlang_session_ini(), ['SID' => $id]);
echo php_child_wait($child);
var_dump(stored($id) === 'user|s:3:"ada";n|i:12;');

echo "-- the save handler and the settings are listed\n";
ob_start();
phpinfo(INFO_MODULES);
$info = ob_get_clean();
var_dump(str_contains($info, 'Registered save handlers => files user erlang'));
foreach (['peb.session.locking', 'peb.session.lock_wait', 'peb.session.lock_expire', 'peb.session.autoload'] as $k) {
    echo $k, ' => ', ini_get($k), ' ', preg_match("/^$k => /m", $info), "\n";
}
var_dump(str_contains($info, test_cookie()));
ob_end_flush();
?>
--EXPECT--
-- a new session reads as empty
bool(true)
bool(true)
array(0) {
}
string(6) "erlang"
bool(true)
-- the node holds what PHP wrote
bool(true)
-- read back and changed
array(2) {
  ["user"]=>
  string(3) "ada"
  ["n"]=>
  int(1)
}
bool(true)
int(2)
-- php.ini alone: a child process with no session code but session_start()
{"user":"ada","n":12}
bool(true)
-- the save handler and the settings are listed
bool(true)
peb.session.locking => 1 1
peb.session.lock_wait => 30000 1
peb.session.lock_expire => 0 1
peb.session.autoload => 1 1
bool(false)
