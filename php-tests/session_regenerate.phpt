--TEST--
Native save handler: session_regenerate_id() moves the data to a new id, and with true destroys the old one
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/session.php';
ob_start();
foreach (['0', '1'] as $strict) {
    echo "-- use_strict_mode=$strict\n";
    use_erlang_sessions(null, ['session.use_strict_mode' => $strict]);
    // An id PHP made (strict mode refuses one the store does not know).
    session_id('');
    session_start();
    $_SESSION['cart'] = ['apple'];
    $old = session_id();
    session_write_close();

    session_id($old);
    session_start();
    var_dump(session_regenerate_id(true));
    $new = session_id();
    var_dump($new !== $old, $_SESSION['cart']);
    $_SESSION['cart'][] = 'pear';
    var_dump(session_write_close());
    var_dump(stored($old), stored($new));

    echo "-- regenerate keeping the old session\n";
    session_id($new);
    session_start();
    var_dump(session_regenerate_id(false));
    $newer = session_id();
    $_SESSION['cart'][] = 'fig';
    session_write_close();
    var_dump(strlen(stored($new)) > 0, substr_count(stored($newer), 'fig'));
}
ob_end_flush();
?>
--EXPECT--
-- use_strict_mode=0
bool(true)
bool(true)
array(1) {
  [0]=>
  string(5) "apple"
}
bool(true)
string(0) ""
string(42) "cart|a:2:{i:0;s:5:"apple";i:1;s:4:"pear";}"
-- regenerate keeping the old session
bool(true)
bool(true)
int(1)
-- use_strict_mode=1
bool(true)
bool(true)
array(1) {
  [0]=>
  string(5) "apple"
}
bool(true)
string(0) ""
string(42) "cart|a:2:{i:0;s:5:"apple";i:1;s:4:"pear";}"
-- regenerate keeping the old session
bool(true)
bool(true)
int(1)
