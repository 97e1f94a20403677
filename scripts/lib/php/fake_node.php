<?php
// A malicious node (target/release/peb_fake_node) for the tests: it
// registers with the private epmd, completes the handshake on 127.0.0.1,
// then misbehaves as its mode says. Started and stopped by pid.
require_once __DIR__ . '/node.php';

/** Starts the fake node `$name@127.0.0.1` in `$mode`; returns [proc, pipes] once it is registered. */
function start_fake_node(string $name, string $mode, ?string $answer_as = null): array
{
    $bin = dirname(getenv('PEB_EXTENSION')) . '/peb_fake_node';
    $cmd = [$bin, "$name@127.0.0.1", test_cookie(), $mode];
    if ($answer_as !== null) {
        $cmd[] = $answer_as;
    }
    $proc = proc_open($cmd, [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes);
    $r = [$pipes[1]];
    $w = $e = null;
    $line = stream_select($r, $w, $e, 10) ? trim((string) fgets($pipes[1])) : '';
    if ($line !== 'ready') {
        echo "the fake node did not start\n";
    }
    // A test that dies midway still stops it.
    register_shutdown_function('stop_fake_node', [$proc, $pipes]);
    return [$proc, $pipes];
}

/** Stops a fake node by pid, once (a second call does nothing). */
function stop_fake_node(array $fake): void
{
    [$proc, $pipes] = $fake;
    if (!is_resource($proc)) {
        return;
    }
    $pid = proc_get_status($proc)['pid'];
    posix_kill_pid($pid);
    foreach ($pipes as $p) {
        fclose($p);
    }
    proc_close($proc);
}

/** SIGKILL to one pid (the CLI may lack ext/posix). */
function posix_kill_pid(int $pid): void
{
    shell_exec(sprintf('kill -9 %d 2>/dev/null', $pid));
}
