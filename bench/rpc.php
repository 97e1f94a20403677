<?php
// peb_rpc of erlang:node/0 beside Erlang-to-Erlang rpc:call and a raw
// message round trip between two nodes, measured in the same run against
// the same node; and the cost of peb_connect. Run with: bench/rpc.

$node = getenv('PEB_TEST_NODE');
$cookie = getenv('PEB_TEST_COOKIE');
$n = in_array('--quick', $argv, true) ? 1000 : 5000;

require __DIR__ . '/common.php';

$l = peb_connect($node, $cookie, 5000) or exit("cannot connect: " . peb_error() . "\n");
$nil = peb_encode('[]', [[]]);
$kb = peb_encode('[~b]', [[str_repeat('x', 1024)]]);
peb_rpc('erlang', 'node', $nil, $l);

$peb_node = best_of(3, function () use ($n, $nil, $l) {
    for ($i = 0; $i < $n; $i++) { peb_rpc('erlang', 'node', $nil, $l); }
}) * 1e6 / $n;
$peb_echo = best_of(3, function () use ($n, $kb, $l) {
    for ($i = 0; $i < $n; $i++) { peb_rpc('erlang', 'iolist_to_binary', $kb, $l); }
}) * 1e6 / $n;
$connect = best_of(1, function () use ($node, $cookie) {
    for ($i = 0; $i < 50; $i++) { peb_close(peb_connect($node, $cookie, 5000)); }
}) * 1e6 / 50;

$ebin = sys_get_temp_dir() . '/peb-bench-' . getmypid();
@mkdir($ebin);
shell_exec('erlc -o ' . escapeshellarg($ebin) . ' ' . escapeshellarg(__DIR__ . '/rpc_call.erl'));
$out = shell_exec(sprintf(
    'erl -name peb_bench_%d@127.0.0.1 -setcookie %s -hidden -noshell -start_epmd false -kernel inet_dist_use_interface "{127,0,0,1}" -pa %s -run rpc_call main %s %d 2>&1',
    getmypid(), escapeshellarg($cookie), escapeshellarg($ebin), escapeshellarg($node), $n
));
array_map('unlink', glob("$ebin/*"));
rmdir($ebin);
[$erl_rpc, $erl_msg] = array_map('floatval', explode(' ', trim($out)));

printf("peb_rpc erlang:node/0          %8.1f us\n", $peb_node);
printf("peb_rpc of a 1 KB binary       %8.1f us\n", $peb_echo);
printf("erlang rpc:call erlang:node/0  %8.1f us\n", $erl_rpc);
printf("erlang message round trip      %8.1f us\n", $erl_msg);
printf("peb_connect + peb_close        %8.1f us\n", $connect);
printf("ratio peb_rpc / rpc:call: %.2f (target at most 1.3)\n", $peb_node / $erl_rpc);
if (($i = array_search('--json', $argv, true)) !== false) {
    file_put_contents($argv[$i + 1], json_encode(['peb_rpc_us' => $peb_node, 'peb_rpc_1kb_us' => $peb_echo,
        'rpc_call_us' => $erl_rpc, 'message_us' => $erl_msg, 'connect_us' => $connect,
        'ratio' => $peb_node / $erl_rpc]));
}
