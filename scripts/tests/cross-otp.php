<?php
// One check of scripts/tests/cross-otp: this PHP, with a peb built on one
// OTP release, autoloads the session server into a stock node of another.
//   php -d extension=libpeb.so cross-otp.php NODE COOKIE BUILD_OTP EXPECT
// EXPECT is what the rule of src/session/server.rs gives for that node:
//   compiled  the node compiles the carried forms (its compiler made the code)
//   beams     the node loads the carried beams (erlc made the code)
//   refused   one error naming both releases, and nothing left loaded
// Prints `ok - ...` or `not ok - ...` lines; exits 1 when one is not ok.

[, $node, $cookie, $build_otp, $expect] = $argv + array_fill(0, 5, '');
$lines = [];
$failed = false;
function check(string $what, bool $ok, string $detail = ''): void
{
    global $lines, $failed;
    $lines[] = ($ok ? 'ok' : 'not ok') . " - $what" . ($ok || $detail === '' ? '' : ": $detail");
    $failed = $failed || !$ok;
}

/** `$m:$f(Args)` on the node, past the save handler. */
function on_node(string $m, string $f, string $fmt = '[]', array $args = [[]])
{
    global $node, $cookie;
    $reply = peb_rpc($m, $f, peb_encode($fmt, $args), peb_pconnect($node, $cookie, 5000));
    return $reply === false ? false : peb_decode($reply)[0];
}

// Session output is buffered: the results are printed at the end.
ob_start();
foreach ([
    'session.save_handler' => 'erlang',
    'session.save_path' => $node,
    'peb.default_cookie' => $cookie,
    // Compiling nine modules on a slow node takes a while.
    'peb.default_timeout' => '20000',
    'peb.session.autoload' => '1',
    'session.use_cookies' => '0',
    'session.cache_limiter' => '',
    'session.gc_probability' => '0',
] as $k => $v) {
    ini_set($k, $v);
}
$node_otp = on_node('erlang', 'system_info', '[~a]', [['otp_release']]);
phpinfo(INFO_MODULES);
preg_match('/built with OTP (\d+)/', ob_get_clean(), $m);
ob_start();
$label = "PHP " . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION . ", peb built on OTP " . ($m[1] ?? '?') . " -> node OTP $node_otp, expected: $expect";
check("$label: the extension says it was built on OTP $build_otp", ($m[1] ?? '') === $build_otp, 'phpinfo says ' . ($m[1] ?? 'nothing'));

$warnings = [];
set_error_handler(function (int $no, string $msg) use (&$warnings) { $warnings[] = $msg; return true; });
$id = 'cross' . bin2hex(random_bytes(12));
session_id($id);
$started = session_start();
if ($started) {
    $_SESSION['otp'] = $node_otp;
    session_write_close();
}
restore_error_handler();

if ($expect === 'refused') {
    check("$label: session_start() fails", !$started);
    $ours = array_values(array_filter($warnings, fn ($w) => str_contains($w, 'cannot install')));
    check("$label: one error names both releases", count($ours) === 1
        && str_contains($ours[0], "(OTP $node_otp; this peb's beams are from OTP $build_otp's erlc)"), implode(' | ', $warnings));
    check("$label: nothing half installed", on_node('code', 'is_loaded', '[~a]', [['session_handler']]) === 'false');
    $lines[] = "# " . ($ours[0] ?? implode(' | ', $warnings));
} else {
    check("$label: a session is written", $started && $warnings === [], implode(' | ', $warnings));
    check("$label: the node holds it", on_node('session_handler', 'read', '[~b]', [[$id]]) === 'otp|s:' . strlen($node_otp) . ":\"$node_otp\";");
    $info = [];
    foreach (on_node('session_handler', 'module_info', '[~a]', [['compile']]) ?: [] as $t) {
        $info[$t[0]] = $t[1];
    }
    // erlc records the source file it compiled; compile:forms/2 has none.
    $made_by = array_key_exists('source', $info) ? 'beams' : 'compiled';
    check("$label: installed as $expect", $made_by === $expect, "installed as $made_by");
    if ($expect === 'compiled') {
        on_node('application', 'load', '[~a]', [['compiler']]);
        $vsn = on_node('application', 'get_key', '[~a, ~a]', [['compiler', 'vsn']]);
        check("$label: by the node's own compiler " . ($vsn[1] ?? '?'), ($info['version'] ?? '') === ($vsn[1] ?? null),
            'compiled by ' . ($info['version'] ?? '?'));
    }
}
ob_end_clean();
echo implode("\n", $lines), "\n";
exit($failed ? 1 : 0);
