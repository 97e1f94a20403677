--TEST--
Links: messages both ways through a registered process, send by pid, rpc_to answered through receive, receive timeout
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/node.php';
$l = peb_connect(test_node(), test_cookie());

// {self(), hello} to the registered echo process; it answers {echo, Pid, hello}.
var_dump(peb_send_byname('peb_echo', peb_vencode('{~p,~a}', [[$l, 'hello']]), $l));
$reply = peb_receive($l, 2000);
var_dump(get_resource_type($reply));
[$tag, $echo_pid, $msg] = peb_vdecode($reply)[0];
var_dump($tag, get_resource_type($echo_pid), $msg);

// Send straight to the pid we were given.
var_dump(peb_send_bypid($echo_pid, peb_vencode('{~p,{~s,~i}}', [[$l, ['by pid', 42]]]), $l));
echo peb_print_term(peb_vdecode(peb_receive($l, 2000))[0][2] === ['by pid', 42] ? peb_encode('~a', ['same']) : peb_encode('~a', ['differs']), true), "\n";

// A message that is not a {Pid, Msg} pair is kept by the echo process.
var_dump(peb_send_byname('peb_echo', peb_vencode('{~a,~b}', [['note', "bin\0ary"]])));
echo peb_print_term(peb_rpc('peb_echo', 'last', peb_encode('[]', [[]])), true), "\n";

// rpc_to: the reply {rex, Reply} arrives through peb_receive.
var_dump(peb_rpc_to('erlang', 'node', peb_encode('[]', [[]]), $l));
$rex = peb_vdecode(peb_receive($l))[0];
var_dump($rex[0], $rex[1] === test_node());

// Nothing more is coming: false within the timeout, errno 4.
$t0 = hrtime(true);
var_dump(peb_receive($l, 300), peb_errorno(), peb_error());
$ms = ms_since($t0);
echo "waited about 300 ms: ", var_export($ms >= 290 && $ms < 1500, true), "\n";
?>
--EXPECT--
bool(true)
string(11) "Erlang Term"
string(4) "echo"
string(10) "Erlang Pid"
string(5) "hello"
bool(true)
same
bool(true)
{note,<<98,105,110,0,97,114,121>>}
bool(true)
string(3) "rex"
bool(true)
bool(false)
int(4)
string(24) "no message within 300 ms"
waited about 300 ms: true
