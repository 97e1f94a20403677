--TEST--
peb_pconnect: one link per process reused by every request (PHP's built-in server); peb_connect's links close with their request
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/node.php';
$root = sys_get_temp_dir() . '/peb-srv-' . getmypid();
@mkdir($root);
file_put_contents("$root/index.php", <<<'PHP'
<?php
$node = getenv('PEB_TEST_NODE');
$p = peb_pconnect($node, getenv('PEB_TEST_COOKIE'), 2000);
$l = peb_connect($node, getenv('PEB_TEST_COOKIE'), 2000);
$nil = peb_encode('[]', [[]]);
ob_start(); peb_status(); $status = ob_get_clean();
echo json_encode([
    'persistent' => peb_linkinfo($p)['thisnodename'],
    'plain' => peb_linkinfo($l)['thisnodename'],
    'node' => peb_decode(peb_rpc('erlang', 'node', $nil, $p))[0],
    'status' => $status,
    'hidden' => count(peb_decode(peb_rpc('erlang', 'nodes', peb_encode('[~a]', [['hidden']]), $p))[0]),
]);
PHP);
$port = free_port();
$srv = proc_open(
    [PHP_BINARY, '-n', '-d', 'extension=' . getenv('PEB_EXTENSION'), '-S', "127.0.0.1:$port", '-t', $root],
    [1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']],
    $pipes
);
register_shutdown_function('stop_web_server', $srv);
$replies = [];
for ($i = 0; $i < 3; $i++) {
    for ($try = 0; $try < 50; $try++) {
        $body = @file_get_contents("http://127.0.0.1:$port/");
        if ($body !== false) { break; }
        usleep(100_000);
    }
    $replies[] = json_decode($body, true);
    usleep(300_000); // time for the node to see the request's own link close
}
stop_web_server($srv);
unlink("$root/index.php");
rmdir($root);

var_dump(count(array_unique(array_column($replies, 'persistent'))));
var_dump(count(array_unique(array_column($replies, 'plain'))));
var_dump(array_unique(array_column($replies, 'node')) === [test_node()]);
echo $replies[2]['status'];
// The node sees this request's two links only: earlier requests' plain links closed with them.
var_dump($replies[2]['hidden']);
?>
--EXPECTF--
int(1)
int(3)
bool(true)
default link: pebtest_%d@127.0.0.1
num link: 2
num persistent: 1
int(2)
