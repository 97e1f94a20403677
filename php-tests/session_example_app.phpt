--TEST--
The example app (examples/session_app) under PHP's built-in web server, sessions in the node through php.ini settings alone: visits count, login regenerates the id, logout destroys
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/session.php';
$port = free_port();
$ini = erlang_session_ini(null, ['session.use_cookies' => '1', 'session.use_strict_mode' => '1']);
$srv = proc_open(
    array_merge(php_child_cmd($ini), ['-S', "127.0.0.1:$port", '-t', __DIR__ . '/../examples/session_app']),
    [1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']],
    $pipes
);
register_shutdown_function('stop_web_server', $srv);
for ($i = 0; $i < 50 && !@fsockopen('127.0.0.1', $port); $i++) {
    usleep(100_000);
}

$cookie = '';
function get(int $port, string &$cookie, array $post = []): string
{
    $headers = $cookie === '' ? '' : "Cookie: PHPSESSID=$cookie\r\n";
    $opts = ['method' => 'GET', 'header' => $headers, 'follow_location' => 0, 'ignore_errors' => true];
    if ($post) {
        $opts = ['method' => 'POST', 'content' => http_build_query($post),
                 'header' => $headers . "Content-Type: application/x-www-form-urlencoded\r\n"] + $opts;
    }
    $body = file_get_contents("http://127.0.0.1:$port/", false, stream_context_create(['http' => $opts]));
    foreach ($http_response_header as $h) {
        if (preg_match('/^Set-Cookie: PHPSESSID=([^;]*)/i', $h, $m)) {
            $cookie = $m[1] === 'deleted' ? '' : $m[1];
        }
    }
    preg_match('/id="visits">(\d+)/', $body, $v);
    preg_match('/id="user">([^<]*)/', $body, $u);
    return 'visits ' . ($v[1] ?? '-') . ', user ' . ($u[1] ?? '-');
}

echo get($port, $cookie), "\n";
$first = $cookie;
echo get($port, $cookie), "\n";
echo get($port, $cookie), "\n";
echo "the node holds the session: ", str_contains(stored($first), 'visits|i:3;') ? 'yes' : 'no', "\n";
echo get($port, $cookie, ['action' => 'login', 'name' => 'Ada']), "\n";
echo "login gave a new id: ", $cookie !== $first ? 'yes' : 'no', "; the old one is gone: ", stored($first) === '' ? 'yes' : 'no', "\n";
echo get($port, $cookie), "\n";
$logged_in = $cookie;
get($port, $cookie, ['action' => 'logout']);
echo "logout destroyed the session: ", stored($logged_in) === '' ? 'yes' : 'no', "\n";
echo "a forged id is not taken: ";
$cookie = new_session_id();
$forged = $cookie;
echo get($port, $cookie), ', ', $cookie !== $forged ? 'replaced' : 'kept', "\n";

stop_web_server($srv);
?>
--EXPECT--
visits 1, user -
visits 2, user -
visits 3, user -
the node holds the session: yes
visits 4, user Ada
login gave a new id: yes; the old one is gone: yes
visits 5, user Ada
logout destroyed the session: yes
a forged id is not taken: visits 1, user -, replaced
