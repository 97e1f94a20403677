--TEST--
peb_encode: malformed formats and wrong data throw ValueError/TypeError naming the directive and position
--FILE--
<?php
function attempt($format, $data) {
    try {
        $r = peb_encode($format, $data);
        echo "no error: ", peb_print_term($r, true), "\n";
    } catch (Throwable $e) {
        echo get_class($e), ": ", $e->getMessage(), "\n";
    }
}
attempt('[~a', [['x']]);
attempt('~a]', ['x']);
attempt('{~a]', [['x']]);
attempt('[~a,~x]', [['x', 1]]);
attempt('~', ['x']);
attempt('', []);
attempt('hello', []);
attempt('~a~i', ['x', 1]);
attempt('[~a,~i]', [['x']]);
attempt('[~a,~i]', [['x', 1, 2]]);
attempt('~a', []);
attempt('~a', ['x', 'y']);
attempt('[~i]', [5]);
attempt('~a', [str_repeat('a', 256)]);
attempt('~a', [str_repeat('é', 255)]);
attempt('~a', ["\xff"]);
attempt('~f', [NAN]);
attempt('~d', [INF]);
attempt('~v', [[-INF]]);
attempt('~i', ['twelve']);
attempt('~i', [1.5]);
attempt('~i', [null]);
attempt('~u', [-1]);
attempt('~s', [[1]]);
attempt('~b', [true]);
attempt('~P', ['not a resource']);
attempt('~p', ['no link']);
attempt('~v', [new stdClass]);
attempt('{~i,{~a,[~s,~d]}}', [[1234, ['pi', ['is', 'three']]]]);
$a = [1];
$a[] = &$a;
attempt('~v', [$a]);
try { peb_encode('~a', 'not an array'); } catch (TypeError $e) { echo get_class($e), ": ", $e->getMessage(), "\n"; }
var_dump(peb_errorno(), peb_error());
?>
--EXPECT--
ValueError: peb_encode(): Argument #1 ($format) '[' is never closed at position 0 of the format
ValueError: peb_encode(): Argument #1 ($format) unexpected ']' at position 2 of the format
ValueError: peb_encode(): Argument #1 ($format) unexpected ']' at position 3 of the format
ValueError: peb_encode(): Argument #1 ($format) unknown directive '~x' at position 4 of the format
ValueError: peb_encode(): Argument #1 ($format) '~' at the end of the format at position 0 of the format
ValueError: peb_encode(): Argument #1 ($format) the format describes no term at position 0 of the format
ValueError: peb_encode(): Argument #1 ($format) unexpected 'h' at position 0 of the format
ValueError: peb_encode(): Argument #1 ($format) the format describes more than one term (wrap them in [...] or {...}) at position 2 of the format
ValueError: peb_encode(): Argument #2 ($data): [...] at position 0 of the format: has 2 elements in the format but its array holds 1 values
ValueError: peb_encode(): Argument #2 ($data): [...] at position 0 of the format: has 2 elements in the format but its array holds 3 values
ValueError: peb_encode(): Argument #2 ($data): the format describes one term, so $data must hold exactly one value, 0 given
ValueError: peb_encode(): Argument #2 ($data): the format describes one term, so $data must hold exactly one value, 2 given
TypeError: peb_encode(): Argument #2 ($data): [...] at position 0 of the format expects an array of its 1 elements, int given
ValueError: peb_encode(): Argument #2 ($data): ~a at position 0 of the format: atom is longer than 255 characters
no error: ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé
ValueError: peb_encode(): Argument #2 ($data): ~a at position 0 of the format: atom is not valid UTF-8
ValueError: peb_encode(): Argument #2 ($data): ~f at position 0 of the format: expects a finite float, NaN given
ValueError: peb_encode(): Argument #2 ($data): ~d at position 0 of the format: expects a finite float, inf given
ValueError: peb_encode(): Argument #2 ($data): ~v at position 0 of the format: expects a finite float, -inf given
TypeError: peb_encode(): Argument #2 ($data): ~i at position 0 of the format expects int, string given
TypeError: peb_encode(): Argument #2 ($data): ~i at position 0 of the format expects int (a float without fraction at most), float given
TypeError: peb_encode(): Argument #2 ($data): ~i at position 0 of the format expects int, null given
ValueError: peb_encode(): Argument #2 ($data): ~u at position 0 of the format: expects an unsigned integer, -1 given
TypeError: peb_encode(): Argument #2 ($data): ~s at position 0 of the format expects string, array given
TypeError: peb_encode(): Argument #2 ($data): ~b at position 0 of the format expects string, bool given
TypeError: peb_encode(): Argument #2 ($data): ~P at position 0 of the format expects an Erlang Pid or other term resource, string given
TypeError: peb_encode(): Argument #2 ($data): ~p at position 0 of the format expects an open link resource from peb_connect(), string given
TypeError: peb_encode(): Argument #2 ($data): ~v at position 0 of the format expects int, float, string, bool, null, array or a term resource, stdClass given
TypeError: peb_encode(): Argument #2 ($data): ~d at position 12 of the format expects float, string given
ValueError: peb_encode(): Argument #2 ($data): ~v at position 0 of the format: value nested deeper than 512 levels (a recursive array?)
TypeError: peb_encode(): Argument #2 ($data) must be of type array, string given
int(0)
NULL
