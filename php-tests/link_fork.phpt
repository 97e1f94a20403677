--TEST--
Fork safety: a process forked after links were made gets its own runtime and links; the parent's keep working
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/node.php';
$nil = peb_encode('[]', [[]]);
$p = peb_pconnect(test_node(), test_cookie(), 2000);
$l = peb_connect(test_node(), test_cookie(), 2000);
var_dump(peb_decode(peb_rpc('erlang', 'node', $nil, $p))[0] === test_node());
$parent_name = peb_linkinfo($p)['thisnodename'];

$child = pcntl_fork();
if ($child === 0) {
    // The inherited links are the parent's: using them fails cleanly, a new pconnect works.
    $inherited = peb_rpc('erlang', 'node', $nil, $l);
    $q = peb_pconnect(test_node(), test_cookie(), 2000);
    $ok = $inherited === false
        && peb_decode(peb_rpc('erlang', 'node', $nil, $q))[0] === test_node()
        && peb_linkinfo($q)['thisnodename'] !== $parent_name;
    exit($ok ? 0 : 1);
}
pcntl_waitpid($child, $status);
echo "child: ", pcntl_wexitstatus($status) === 0 ? "own links work" : "failed", "\n";
for ($i = 0; $i < 3; $i++) {
    var_dump(peb_decode(peb_rpc('erlang', 'node', $nil, $p))[0] === test_node());
}
var_dump(peb_decode(peb_rpc('erlang', 'node', $nil, $l))[0] === test_node());
?>
--EXPECT--
bool(true)
child: own links work
bool(true)
bool(true)
bool(true)
bool(true)
