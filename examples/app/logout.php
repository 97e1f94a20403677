<?php
require __DIR__ . '/lib.php';
start_session();
require_post();
$_SESSION = [];
session_destroy(); // gone from the node, whichever web server asks next
$p = session_get_cookie_params();
setcookie(session_name(), '', ['expires' => 1] + array_intersect_key($p, array_flip(['path', 'domain', 'secure', 'httponly', 'samesite'])));
redirect('/');
