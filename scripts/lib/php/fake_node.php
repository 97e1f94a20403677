<?php
// A malicious node (target/release/peb_fake_node) for the tests: it
// registers with the private epmd, completes the handshake on 127.0.0.1,
// then misbehaves as its mode says. Started and stopped by pid, through
// the environment library (scripts/lib/peb-env).
require_once __DIR__ . '/node.php';

/**
 * Starts the fake node `$name@127.0.0.1` in `$mode` (over TLS with the
 * certificate and key `node.*` of `$tls_dir`); returns its pid once it is
 * registered.
 */
function start_fake_node(string $name, string $mode, ?string $answer_as = null, ?string $tls_dir = null): int
{
    // Beside the extension (cargo's target/release), or where
    // PEB_FAKE_NODE says (phpize's `make test` loads modules/peb.so).
    $bin = getenv('PEB_FAKE_NODE') ?: dirname(getenv('PEB_EXTENSION')) . '/peb_fake_node';
    $cmd = [$bin, "$name@127.0.0.1", test_cookie(), $mode];
    if ($answer_as !== null) {
        $cmd[] = $answer_as;
    }
    $args = implode(' ', array_map('escapeshellarg', array_merge(["fake-$name", $name, '--'], $cmd)));
    putenv($tls_dir === null ? 'PEB_FAKE_TLS_DIR' : "PEB_FAKE_TLS_DIR=$tls_dir");
    $pid = peb_env_value(peb_env("spawn $args"), 'pid');
    putenv('PEB_FAKE_TLS_DIR');
    if ($pid === 0) {
        echo "the fake node did not start\n";
    }
    // A test that dies midway still stops it.
    return remember_node($pid);
}

/** Stops a fake node by pid (SIGKILL), once (a second call does nothing). */
function stop_fake_node(int $pid): void
{
    if (isset($GLOBALS['__nodes'][$pid])) {
        stop_node($pid, '', 9);
    }
}
