--TEST--
peb_receive's mailbox keeps at most 4096 messages; beyond, new ones are dropped
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/node.php';
$l = peb_connect(test_node(), test_cookie());
// The echo process answers each {Pid, I} with {echo, EchoPid, I} to our pid.
for ($i = 0; $i < 5000; $i++) {
    peb_send_byname('peb_echo', peb_vencode('{~p,~i}', [[$l, $i]]), $l);
}
// peb_echo:last/0 asks the echo process itself: by its answer the echo
// process has sent all 5000 replies, and they came down the link before it.
peb_rpc('peb_echo', 'last', peb_encode('[]', [[]]), $l);
$got = [];
while (($m = peb_receive($l, 200)) !== false) {
    $got[] = peb_vdecode($m)[0][2];
}
var_dump(count($got), $got[0], $got[4095]);
?>
--EXPECT--
int(4096)
int(0)
int(4095)
