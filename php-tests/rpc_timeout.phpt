--TEST--
peb_rpc: times out after peb.default_timeout (set at run time), and the late reply is never taken by the next call
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/node.php';
$l = peb_connect(test_node(), test_cookie());
ini_set('peb.default_timeout', '300');
$t0 = hrtime(true);
var_dump(peb_rpc('timer', 'sleep', peb_encode('[~i]', [[700]]), $l), peb_errorno(), peb_error());
$ms = ms_since($t0);
echo "returned within the timeout: ", var_export($ms >= 290 && $ms < 1000, true), "\n";

// The sleep's 'ok' arrives while the next calls wait: it must not be their answer.
ini_set('peb.default_timeout', '5000');
usleep(100_000);
for ($i = 0; $i < 5; $i++) {
    $r = peb_decode(peb_rpc('erlang', 'node', peb_encode('[]', [[]]), $l))[0];
    usleep(150_000);
    if ($r !== test_node()) { echo "call $i got a stale reply: ", var_export($r, true), "\n"; }
}
echo "later calls got their own replies\n";
var_dump(peb_receive($l, 200));
?>
--EXPECTF--
bool(false)
int(4)
string(%d) "timer:sleep on pebtest_%s did not answer within 300 ms"
returned within the timeout: true
later calls got their own replies
bool(false)
