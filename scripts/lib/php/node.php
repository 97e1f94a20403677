<?php
// Helpers for tests that need a node of their own (to kill, restart or tune
// it): started on 127.0.0.1 with the test cookie, under the private epmd of
// scripts/lib/test-env.sh, and stopped by pid.

function test_node(): string { return getenv('PEB_TEST_NODE'); }
function test_cookie(): string { return getenv('PEB_TEST_COOKIE'); }

function epmd_names(): string
{
    return (string) shell_exec('epmd -port ' . (int) getenv('ERL_EPMD_PORT') . ' -names 2>/dev/null');
}

/** Starts `erl -name $name@127.0.0.1 $args` (output to `$log`); returns its pid once registered with epmd. */
function start_node(string $name, string $args = '', string $log = '/dev/null'): int
{
    $cmd = sprintf(
        'exec erl -name %s@127.0.0.1 -setcookie %s -noshell -noinput -start_epmd false '
        . "-kernel inet_dist_use_interface '{127,0,0,1}' -pa %s %s >%s 2>&1",
        $name, escapeshellarg(test_cookie()), escapeshellarg(getenv('PEB_EBIN')), $args, escapeshellarg($log)
    );
    return run_node($cmd, $name);
}

/**
 * Runs a node's command line; returns its pid once epmd knows `$name`. The
 * node is remembered for stop_node(), and a test that dies midway still
 * stops the nodes it started.
 */
function run_node(string $cmd, string $name): int
{
    $proc = proc_open($cmd, [], $pipes);
    $pid = proc_get_status($proc)['pid'];
    for ($i = 0; $i < 100 && !str_contains(epmd_names(), "name $name "); $i++) {
        usleep(100_000);
    }
    if (!isset($GLOBALS['__nodes'])) {
        register_shutdown_function(function () {
            foreach (array_keys($GLOBALS['__nodes'] ?? []) as $left) {
                shell_exec(sprintf('kill -9 %d 2>/dev/null', $left));
                proc_close($GLOBALS['__nodes'][$left]);
            }
        });
    }
    $GLOBALS['__nodes'][$pid] = $proc;
    return $pid;
}

/**
 * Stops a node started by start_node() and waits until it is gone and epmd
 * forgot it. A node ignores a SIGTERM that arrives while it boots, so the
 * signal is repeated, and after 3 s it becomes SIGKILL.
 */
function stop_node(int $pid, string $name, int $signal = 15): void
{
    $proc = $GLOBALS['__nodes'][$pid] ?? null;
    for ($i = 0; $i < 60; $i++) {
        $running = $proc ? proc_get_status($proc)['running'] : file_exists("/proc/$pid");
        if (!$running) {
            break;
        }
        if ($i % 5 === 0) {
            shell_exec(sprintf('kill -%d %d 2>/dev/null', $i >= 30 ? 9 : $signal, $pid));
        }
        usleep(100_000);
    }
    for ($i = 0; $i < 100 && str_contains(epmd_names(), "name $name "); $i++) {
        usleep(50_000);
    }
    if ($proc) {
        proc_close($proc);
        unset($GLOBALS['__nodes'][$pid]);
    }
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
