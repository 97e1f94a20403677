--TEST--
Security: no user input becomes an atom on the node — session ids and data, ~v, ~b and ~s data leave the node's atom count unchanged; ~a makes one per new name; link names are reused
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/session.php';
ob_start();
$name = 'atoms' . getmypid();
// Embedded mode loads every module at boot: none is loaded (and none of its
// atoms made) lazily while the test counts.
$pid = start_node($name, '-mode embedded');
$node = "$name@127.0.0.1";
use_erlang_sessions($node);
$atoms = fn () => node_call('erlang', 'system_info', '[~a]', [['atom_count']], $node);

/** One round of everything a user could feed in: fresh ids, data, map keys, strings. */
$round = function (int $n) use ($node) {
    $link = peb_pconnect($node, test_cookie(), 2000);
    for ($i = 0; $i < $n; $i++) {
        $word = 'user_' . bin2hex(random_bytes(6));
        session_cycle(new_session_id(), function () use ($word) { $_SESSION[$word] = $word; });
        session_id(new_session_id() . '.bad');
        @session_start();
        $args = peb_encode('[~v,~b,~s]', [[[[$word => [$word, 1.5, null, true]]], $word, $word]]);
        peb_rpc('erlang', 'setelement', peb_encode('[~i,~v,~v]', [[1, [$word], $word]]), $link);
        peb_rpc('erlang', 'tuple_size', peb_encode('[~v]', [[[$word]]]), $link);
        peb_rpc('lists', 'flatten', peb_encode('[~v]', [[[$args]]]), $link);
    }
};
$round(20);
$before = $atoms();
$round(500);
$after = $atoms();
echo "atoms made by 500 rounds of user data: ", $after - $before, "\n";
$link = peb_pconnect($node, test_cookie(), 2000);
for ($i = 0; $i < 10; $i++) {
    peb_rpc('erlang', 'is_atom', peb_encode('[~a]', [['made_by_a_' . bin2hex(random_bytes(6))]]), $link);
}
echo "atoms made by 10 ~a of new names: ", $atoms() - $after, "\n";

// Each link's name is an atom on the node: names are reused once their
// link closed 5 s ago, so links opened and closed at a steady pace make no new ones.
$links = function () use ($node) {
    for ($i = 0; $i < 20; $i++) {
        $l = peb_connect($node, test_cookie(), 2000);
        peb_rpc('erlang', 'node', peb_encode('[]', [[]]), $l);
        peb_close($l);
    }
};
$links();
sleep(6);
$before = $atoms();
$links();
echo "atoms made by 20 more links, after the names rested: ", $atoms() - $before, "\n";
stop_node($pid, $name);
ob_end_flush();
?>
--EXPECT--
atoms made by 500 rounds of user data: 0
atoms made by 10 ~a of new names: 10
atoms made by 20 more links, after the names rested: 0
