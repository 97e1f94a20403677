--TEST--
TLS: a process forked after TLS links were made gets its own runtime and TLS links (the inherited ones fail cleanly); the parent's TLS links keep working
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/tls.php';
$name = 'pebtlsfork_' . getmypid();
$pid = start_tls_node($name);
$code = <<<'PHP'
$node = getenv('NODE');
$nil = peb_encode('[]', [[]]);
$p = peb_pconnect($node, test_cookie(), 2000);
$l = peb_connect($node, test_cookie(), 2000);
var_dump(peb_decode(peb_rpc('erlang', 'node', $nil, $p))[0] === $node);
$parent_name = peb_linkinfo($p)['thisnodename'];
$child = pcntl_fork();
if ($child === 0) {
    $inherited = @peb_rpc('erlang', 'node', $nil, $l);
    $q = peb_pconnect($node, test_cookie(), 2000);
    $ok = $inherited === false
        && peb_decode(peb_rpc('erlang', 'node', $nil, $q))[0] === $node
        && peb_linkinfo($q)['thisnodename'] !== $parent_name
        && peb_linkinfo($q)['tls'] !== '';
    exit($ok ? 0 : 1);
}
pcntl_waitpid($child, $status);
echo "child: ", pcntl_wexitstatus($status) === 0 ? "own TLS links work" : "failed", "\n";
for ($i = 0; $i < 3; $i++) {
    var_dump(peb_decode(peb_rpc('erlang', 'node', $nil, $p))[0] === $node);
}
var_dump(peb_decode(peb_rpc('erlang', 'node', $nil, $l))[0] === $node);
PHP;
echo tls_php($code, tls_ini(), ['NODE' => "$name@127.0.0.1"]);
stop_node($pid, $name);
?>
--EXPECT--
bool(true)
child: own TLS links work
bool(true)
bool(true)
bool(true)
bool(true)
