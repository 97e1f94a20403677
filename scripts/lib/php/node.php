<?php
// The environment library (scripts/lib/peb-env) from PHP, for the tests
// and the scripts that need nodes of their own (to kill, restart or tune):
// nodes on 127.0.0.1 under the private epmd and cookie of the environment
// scripts/lib/test-env.sh made, started and stopped by pid through the
// library; free ports; PHP's built-in web server stopped by pid.

function test_node(): string { return getenv('PEB_TEST_NODE'); }
function test_cookie(): string { return getenv('PEB_TEST_COOKIE'); }

/**
 * Runs `peb-env $args` (a shell fragment: the arguments are escaped by the
 * caller); returns its "KEY VALUE" lines as [[key, value], ...]. Its
 * errors go to the test's output.
 */
function peb_env(string $args): array
{
    $out = (string) shell_exec(escapeshellarg(__DIR__ . '/../peb-env') . " $args 2>&1");
    $lines = [];
    foreach (explode("\n", trim($out)) as $line) {
        if ($line === '') {
            continue;
        }
        if (!preg_match('/^(pid|port) (\d+)$/', $line, $m)) {
            echo "$line\n";
            continue;
        }
        $lines[] = [$m[1], (int) $m[2]];
    }
    return $lines;
}

/** The first value of `$key` in peb_env()'s lines (0 when missing). */
function peb_env_value(array $lines, string $key): int
{
    foreach ($lines as [$k, $v]) {
        if ($k === $key) {
            return $v;
        }
    }
    return 0;
}

/** A free port on 127.0.0.1. */
function free_port(): int { return peb_env_value(peb_env('port'), 'port'); }

function epmd_names(): string { return (string) shell_exec(escapeshellarg(__DIR__ . '/../peb-env') . ' epmd names'); }

/**
 * Starts the node `$name@127.0.0.1` with `$args` (emulator flags, a shell
 * fragment) and its output in `$log`; `$stock`: without peb's modules on
 * its code path. Returns its pid once epmd knows it.
 */
function start_node(string $name, string $args = '', string $log = '/dev/null', bool $stock = false): int
{
    $opts = ($stock ? '--stock ' : '') . '--log ' . escapeshellarg($log);
    return remember_node(peb_env_value(peb_env("node start " . escapeshellarg("$name@127.0.0.1") . " $opts -- $args"), 'pid'));
}

/**
 * Remembers a node for stop_node(): a test that dies midway still stops
 * the nodes it started.
 */
function remember_node(int $pid): int
{
    if (!isset($GLOBALS['__nodes'])) {
        $GLOBALS['__nodes'] = [];
        register_shutdown_function(function () {
            foreach (array_keys($GLOBALS['__nodes']) as $left) {
                peb_env("stop $left 9");
            }
        });
    }
    if ($pid > 0) {
        $GLOBALS['__nodes'][$pid] = true;
    }
    return $pid;
}

/**
 * Stops a node started by start_node() (by pid) and returns once it is
 * gone and epmd forgot it: `$signal` (repeated: a node ignores a SIGTERM
 * that arrives while it boots), SIGKILL after 5 s. `$name` is the node's
 * name before the @ (the library knows it by its pid).
 */
function stop_node(int $pid, string $name, int $signal = 15): void
{
    peb_env(sprintf('stop %d %d', $pid, $signal));
    unset($GLOBALS['__nodes'][$pid]);
}

function ms_since(int $t0): int { return intdiv(hrtime(true) - $t0, 1_000_000); }

/**
 * Stops PHP's built-in web server: SIGINT, on which it shuts down as PHP
 * does (modules included, so that valgrind sees a whole run), then SIGKILL
 * after 5 s.
 */
function stop_web_server($proc): void
{
    // Also registered as a shutdown function: a test that dies midway still stops it, once.
    if (!is_resource($proc)) {
        return;
    }
    proc_terminate($proc, 2);
    for ($i = 0; $i < 50 && proc_get_status($proc)['running']; $i++) {
        usleep(100_000);
    }
    if (proc_get_status($proc)['running']) {
        proc_terminate($proc, 9);
    }
    proc_close($proc);
}
