--TEST--
Security: the cookie appears in no output — warnings, exceptions, peb_error(), phpinfo(), peb_status(), peb_linkinfo(), PHP's error log, the node's log
--INI--
log_errors=1
display_errors=1
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/session.php';
$cookie = test_cookie();
$wrong = 'WRONG' . bin2hex(random_bytes(8));
$log = tempnam(sys_get_temp_dir(), 'peb-log');
$node_log = tempnam(sys_get_temp_dir(), 'peb-node-log');
ini_set('error_log', $log);
ini_set('peb.default_cookie', $cookie);
$name = 'cookie' . getmypid();
$pid = start_node($name, '', $node_log);
$node = "$name@127.0.0.1";
$missing = 'nobody' . getmypid() . '@127.0.0.1';

ob_start();
// Warnings and errors of links: a wrong cookie, a node that is not there, a timeout.
var_dump(peb_connect($node, $wrong, 1000), peb_error());
var_dump(peb_pconnect($missing, $cookie, 500), peb_error());
$link = peb_connect($node, $cookie, 1000);
ini_set('peb.default_timeout', '300');
var_dump(peb_rpc('timer', 'sleep', peb_encode('[~i]', [[3000]]), $link), peb_error());
print_r(peb_linkinfo($link));
peb_status();
// Exceptions the functions throw.
foreach ([fn () => peb_connect('', $cookie), fn () => peb_connect("bad name", $cookie), fn () => peb_encode('~x', [[$cookie]]),
          fn () => peb_rpc('m', 'f', 'not a term', $link)] as $f) {
    try {
        $f();
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
// Session warnings: the node with a wrong cookie, then a node that is not there.
ini_set('peb.default_timeout', '1000');
use_erlang_sessions("$node, $missing", ['peb.default_cookie' => $wrong]);
var_dump(@session_start() === false ? 'refused' : 'started');
session_id('x');
session_start();
phpinfo(INFO_MODULES);
$out = ob_get_clean();
if (getenv('PEB_SHOW')) {
    echo $out;
}

peb_close($link);
stop_node($pid, $name);
$logged = file_get_contents($log);
$node_logged = file_get_contents($node_log);
unlink($log);
unlink($node_log);
foreach (['output' => $out, "PHP's error log" => $logged, "the node's log" => $node_logged] as $where => $text) {
    printf("%s (%s): cookie %s, wrong cookie %s\n", $where, strlen($text) > 0 ? 'not empty' : 'empty',
        str_contains($text, $cookie) ? 'SHOWN' : 'absent', str_contains($text, $wrong) ? 'SHOWN' : 'absent');
}
echo "output has warnings, the link info and phpinfo: ",
    str_contains($out, 'Warning') && str_contains($out, 'connectcookie') && str_contains($out, 'peb.default_cookie') ? 'yes' : 'no', "\n";
echo "the log has the warnings: ", substr_count($logged, 'PHP Warning') >= 2 ? 'yes' : 'no', "\n";
?>
--EXPECT--
output (not empty): cookie absent, wrong cookie absent
PHP's error log (not empty): cookie absent, wrong cookie absent
the node's log (not empty): cookie absent, wrong cookie absent
output has warnings, the link info and phpinfo: yes
the log has the warnings: yes
