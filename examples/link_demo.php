<?php
// The bridge proper, against a stock node that scripts/dev/demo-bridge started:
// connect as a hidden node, call functions, exchange messages, and keep a
// PHP session in the node's ETS table with the article's userland handler.

require __DIR__ . '/../php/ErlangSessionHandler.php';

$node = getenv('PEB_TEST_NODE');
$cookie = getenv('PEB_TEST_COOKIE');
$nil = peb_encode('[]', [[]]);

// Sessions start before any output (PHP sends headers with the first byte).
ini_set('session.use_cookies', '0');
ini_set('session.cache_limiter', '');
session_set_save_handler(new ErlangSessionHandler($node, $cookie, 2000), true);
session_id('demo' . bin2hex(random_bytes(8)));
session_start();
$_SESSION['cart'] = ['apple', 'pear'];
session_write_close();


$link = peb_connect($node, $cookie, 2000) or exit('connect failed: ' . peb_error() . "\n");
$info = peb_linkinfo($link);
echo "connected to {$info['node']} as hidden node {$info['thisnodename']} (cookie shown as {$info['connectcookie']})\n";

$t = hrtime(true);
$reply = peb_rpc('lists', 'reverse', peb_encode('[~v]', [[[1, 2, 3]]]), $link);
printf("peb_rpc lists:reverse([1,2,3]) = %s in %.0f us\n", peb_print_term($reply, true), (hrtime(true) - $t) / 1e3);
echo "peb_rpc of a missing function gives {badrpc, ...} as data: ",
    peb_print_term(peb_rpc('no_such_module', 'f', $nil, $link), true), "\n";

peb_send_byname('peb_echo', peb_vencode('{~p,{~a,~b}}', [[$link, ['hello', 'from PHP']]]), $link);
echo "message sent to the registered process peb_echo; it answered: ",
    peb_print_term(peb_receive($link, 1000), true), "\n";

ini_set('peb.default_timeout', '200');
$t = hrtime(true);
$late = peb_rpc('timer', 'sleep', peb_encode('[~i]', [[1000]]), $link);
printf("a call that outlives peb.default_timeout=200: %s after %d ms (peb_error: %s)\n",
    var_export($late, true), (hrtime(true) - $t) / 1e6, peb_error());
ini_set('peb.default_timeout', '5000');

$stored = peb_decode(peb_rpc('session_handler', 'read', peb_encode('[~b]', [[session_id()]]), $link))[0];
echo "a session written through ErlangSessionHandler; the node holds: $stored\n";
