<?php
require __DIR__ . '/lib.php';
start_session();
require_post();
$name = trim((string) ($_POST['name'] ?? ''));
if (!preg_match('/^[^\x00-\x1f]{1,40}$/u', $name)) {
    flash('Please give a name of at most 40 characters.');
    redirect('/');
}
session_regenerate_id(true); // a new id at login, the old one destroyed: no session fixation
$_SESSION['user'] = $name;
// Tags ride with this request's write (no extra round trip): "log out
// everywhere" finds every session of the user by its tag (logout_all.php),
// and examples/session_watch.erl hears of logins by the second one.
peb_session_tag("user:$name", 'logged_in');
flash("Welcome, $name!");
redirect('/');
