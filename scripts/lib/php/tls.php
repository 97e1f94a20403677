<?php
// Helpers for the TLS tests: the environment's CA and certificates (made
// once by scripts/lib/peb-env, with openssl), nodes speaking Erlang's TLS
// distribution (inet_tls_dist) with an ssl_dist_optfile of their own, and
// the php.ini of a PHP child that speaks TLS to them (peb.tls* is php.ini
// only, so each configuration is a process of its own).
require_once __DIR__ . '/session.php';

/** The directory of the CA and certificates (env/tls.sh lists them). */
function tls_dir(): string
{
    $out = (string) shell_exec(escapeshellarg(__DIR__ . '/../peb-env') . ' tls certs 2>&1');
    if (!preg_match('/^dir (.+)$/m', $out, $m)) {
        echo $out;
        return '';
    }
    return $m[1];
}

/**
 * Starts `$name@127.0.0.1` speaking TLS distribution with the certificate
 * `$cert` of the set, TLS `$versions`, `$clients` 'require' (a client
 * certificate by the CA) or 'optional'; `$args` more emulator flags.
 * Returns its pid once epmd knows it.
 */
function start_tls_node(
    string $name,
    string $cert = 'node',
    string $versions = 'tlsv1.2,tlsv1.3',
    string $clients = 'require',
    string $args = '',
): int {
    $opts = tls_dir() . "/$name.opts";
    $cmd = sprintf('tls optfile %s %s %s %s', escapeshellarg($opts), escapeshellarg($cert), escapeshellarg($versions), escapeshellarg($clients));
    peb_env($cmd);
    $log = getenv('PEB_ENV_DIR') . "/logs/$name.log";
    return start_node($name, "-proto_dist inet_tls -ssl_dist_optfile " . escapeshellarg($opts) . " $args", $log);
}

/** php.ini of a PHP child speaking TLS with the client certificate `$client` ('' for none). */
function tls_ini(string $client = 'client', array $extra = []): array
{
    $dir = tls_dir();
    $ini = ['peb.tls' => '1', 'peb.tls_cafile' => "$dir/ca.pem"];
    if ($client !== '') {
        $ini += ['peb.tls_certfile' => "$dir/$client.pem", 'peb.tls_keyfile' => "$dir/$client.key"];
    }
    return $extra + $ini;
}

/** Runs `$code` in a PHP child with `$ini` and `$env`; its output (stdout and stderr). */
function tls_php(string $code, array $ini, array $env = []): string
{
    return php_child_wait(php_child("require '" . __DIR__ . "/tls.php';\n$code", $ini, $env));
}
