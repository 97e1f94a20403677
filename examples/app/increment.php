<?php
// The endpoint of the counter page: POST action=increment|reset, answers
// {"counter": N}. The pause between reading and writing is there to show
// the lock at work: without it (peb.session.locking = 0) parallel requests
// would read the same value and increments would be lost.
require __DIR__ . '/lib.php';
start_session();
require_post();
if (($_POST['action'] ?? '') === 'reset') {
    $_SESSION['counter'] = 0;
} else {
    $n = (int) ($_SESSION['counter'] ?? 0);
    usleep(20_000);
    $_SESSION['counter'] = $n + 1;
}
header('Content-Type: application/json');
echo json_encode(['counter' => $_SESSION['counter']]);
