--TEST--
Session tags in the Raft cluster: tags written through one node are counted on the others; after the node PHP uses is killed, the next one counts and destroys a tag's sessions; a request holding a session's lock through one node has its write refused when the session is destroyed through another
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/tags_cluster.php';
ob_start();
tags_cluster_test('tag' . getmypid() . '_');
ob_end_flush();
?>
--EXPECTF--
bool(true)
-- 20 sessions of user 1, 10 of user 2, written through node 1
node 2 counts 20 and 10
node 3 counts 20 and 10
-- node 1 is killed; PHP goes on through node 2
bool(true)
bool(true)
int(20)
int(20)
node 3 counts 0
user 1's sessions left: 0
array(0) {
}
-- user 2's sessions destroyed through node 3 while a request holds one's lock through node 2
holding
int(10)
end of script

Warning: PHP Request Shutdown: peb session: the session's lock was lost before the write (it expired, see peb.session.lock_expire, or went with a failed node) and the session changed since; nothing was written
string(0) ""
int(0)
