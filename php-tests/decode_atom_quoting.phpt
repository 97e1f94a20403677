--TEST--
peb_print_term: latin1 atoms from real Erlang are quoted exactly when Erlang quotes them
--FILE--
<?php
// Bytes are term_to_binary(A) from Erlang/OTP 25 (latin1 ATOM_EXT). The expected
// text is Erlang's own io_lib:print(A): a lowercase latin1 letter (a-z, ß-ÿ but ÷)
// may start an unquoted atom, and latin1 letters (but × and ÷), digits, _ and @
// may follow; anything else is quoted.
function show($hex) {
    echo peb_print_term(hex2bin($hex), true), "\n";
}
show('8364000568e96c6c6f'); // 'héllo'
show('83640002df78'); // 'ßx'
show('8364000661e940315f5a'); // 'aé@1_Z'
show('83640001ff'); // 'ÿ'
show('83640002c4d6'); // 'ÄÖ'
show('8364000361f762'); // 'a÷b'
show('8364000361d762'); // 'a×b'
show('83640001e9'); // 'é'
show('83640002c961'); // 'Éa'
show('8364000a6e61ef76655f636166e9'); // 'naïve_café'

// The same for UTF-8 atoms: term_to_binary('héllo', [{minor_version,2}]) and
// 200 x 'é' as ATOM_UTF8_EXT (400 bytes) and as latin1 ATOM_EXT (200 bytes).
show('83770668c3a96c6c6f');
var_dump(peb_print_term(hex2bin('83760190c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9'
    . 'c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9'
    . 'c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9'
    . 'c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9'
    . 'c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9'
    . 'c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9'
    . 'c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9'
    . 'c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9'
    . 'c3a9c3a9'), true) === str_repeat('é', 200));
var_dump(peb_print_term(hex2bin('836400c8e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9'
    . 'e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9'
    . 'e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9'
    . 'e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9'
    . 'e9e9e9e9'), true) === str_repeat('é', 200));
?>
--EXPECT--
héllo
ßx
aé@1_Z
ÿ
'ÄÖ'
'a÷b'
'a×b'
é
'Éa'
naïve_café
héllo
bool(true)
bool(true)
