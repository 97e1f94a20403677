--TEST--
Security: the tests' epmd, nodes and fake node listen on loopback only (127.0.0.1; epmd adds ::1 itself)
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/fake_node.php';

/** The local addresses of the listening TCP sockets on `$port` (from /proc/net/tcp and tcp6). */
function listening(int $port): array
{
    $found = [];
    foreach (['/proc/net/tcp', '/proc/net/tcp6'] as $table) {
        foreach (array_slice(file($table) ?: [], 1) as $line) {
            $f = preg_split('/\s+/', trim($line));
            [$addr, $p] = explode(':', $f[1]);
            if ($f[3] === '0A' && hexdec($p) === $port) {
                // Each 32-bit word of the address is in the host's (little-endian) order.
                $bytes = implode('', array_map(fn ($w) => strrev(hex2bin($w)), str_split($addr, 8)));
                $found[] = inet_ntop($bytes);
            }
        }
    }
    return $found;
}

$name = 'loop' . getmypid();
$pid = start_node($name);
$fake = start_fake_node("fakeloop" . getmypid(), 'silent');
echo "epmd: ", implode(', ', listening((int) getenv('ERL_EPMD_PORT'))), "\n";
preg_match_all('/name (\S+) at port (\d+)/', epmd_names(), $m, PREG_SET_ORDER);
$ports = array_column($m, 2, 1);
$mine = ['the test node' => test_node(), 'a node of start_node()' => "$name@127.0.0.1", 'the fake node' => "fakeloop" . getmypid() . '@127.0.0.1'];
foreach ($mine as $what => $node) {
    $port = $ports[explode('@', $node)[0]] ?? null;
    echo "$what: ", $port === null ? 'not registered' : implode(', ', listening((int) $port)), "\n";
}
stop_fake_node($fake);
stop_node($pid, $name);
?>
--EXPECT--
epmd: 127.0.0.1, ::1
the test node: 127.0.0.1
a node of start_node(): 127.0.0.1
the fake node: 127.0.0.1
