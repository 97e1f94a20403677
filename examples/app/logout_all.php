<?php
// "Log out everywhere": every session of this user (tagged "user:<name>"
// at login) is destroyed in the store, on whichever web server and device
// it is used; each one's next click lands on the login form. A request of
// another device that holds its session's lock meanwhile has its write
// refused (docs/tags.md). This one is among them; a fresh session then
// carries the message.
require __DIR__ . '/lib.php';
start_session();
require_post();
$user = user();
if ($user === null) {
    redirect('/');
}
$n = peb_session_destroy_tagged("user:$user");
$_SESSION = [];
session_destroy();
start_session();   // a new id (use_strict_mode), for the message
flash($n === false ? 'Logging out everywhere failed; try again.' : "Logged out of $n sessions.");
redirect('/');
