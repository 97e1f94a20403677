--TEST--
peb_decode/peb_vdecode: bytes that are not a term give false, errno 6 and a reason; never a crash
--FILE--
<?php
function attempt($label, $fn, $bytes) {
    $r = $fn($bytes);
    printf("%-28s %s | %d | %s\n", $label, var_export($r, true), peb_errorno(), peb_error() ?? 'NULL');
}
attempt('empty', 'peb_decode', '');
attempt('empty v', 'peb_vdecode', '');
attempt('no version byte', 'peb_vdecode', "\x61\x01");
attempt('truncated int', 'peb_decode', "\x62\x00\x01");
attempt('truncated binary', 'peb_decode', "\x6d\x00\x00\x00\x09abc");
attempt('unknown tag', 'peb_decode', "\xc8");
attempt('tag 68 (eetf panic)', 'peb_decode', "\x44\x00\x00");
attempt('atom cache ref 82', 'peb_decode', "\x52\x00");
attempt('huge list count', 'peb_vdecode', "\x83\x6c\x7f\xff\xff\xff\x6a\x6a");
attempt('huge tuple count', 'peb_decode', "\x69\xff\xff\xff\xff");
attempt('huge map count', 'peb_decode', "\x74\x80\x00\x00\x00\x61\x01");
attempt('trailing bytes', 'peb_decode', "\x61\x01\x61\x02");
attempt('bad atom utf8', 'peb_decode', "\x77\x01\xff");
attempt('bad sign byte', 'peb_decode', "\x6e\x01\x07\x01");
attempt('huge bignum', 'peb_decode', "\x6f\x00\x01\x00\x00\x00" . str_repeat("\x01", 65536));
attempt('bad bitstring', 'peb_decode', "\x4d\x00\x00\x00\x01\x09\xff");
attempt('pid without atom', 'peb_decode', "\x58\x61\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00");
attempt('nested version', 'peb_decode', "\x68\x01\x83");
attempt('deep nesting', 'peb_vdecode', "\x83" . str_repeat("\x68\x01", 100000) . "\x6a");
attempt('deep lists', 'peb_decode', str_repeat("\x6c\x00\x00\x00\x01", 600) . "\x6a" . str_repeat("\x6a", 600));
attempt('zip bomb header', 'peb_vdecode', "\x83\x50\xff\xff\xff\xff\x78\x9c\x03\x00\x00\x00\x00\x01");
attempt('compressed size lie', 'peb_vdecode', "\x83\x50\x00\x00\x00\x05" . gzcompress("\x61\x01"));
attempt('compressed ok', 'peb_vdecode', "\x83\x50\x00\x00\x00\x02" . gzcompress("\x61\x01"));
attempt('bad zlib', 'peb_vdecode', "\x83\x50\x00\x00\x00\x02\x00\x00\x00");
attempt('fun size lie', 'peb_decode', "\x70\xff\xff\xff\xff\x00");

// A term at the limit still decodes; after a success the error is cleared.
$deep = peb_decode(str_repeat("\x68\x01", 511) . "\x6a");
echo "511 levels decode: ", is_array($deep) ? 'yes' : 'no', " | ", peb_errorno(), " | ", var_export(peb_error(), true), "\n";

// Wrong argument types are programming errors: TypeError.
foreach ([1, null, [1], fopen('php://memory', 'r')] as $bad) {
    try { peb_decode($bad); } catch (TypeError $e) { echo $e->getMessage(), "\n"; }
}
?>
--EXPECT--
empty                        false | 6 | invalid term at byte 0: truncated: 1 bytes needed, 0 left
empty v                      false | 6 | invalid term at byte 0: empty input
no version byte              false | 6 | invalid term at byte 0: expected the version byte 131, found 97
truncated int                false | 6 | invalid term at byte 1: truncated: 4 bytes needed, 2 left
truncated binary             false | 6 | invalid term at byte 5: truncated: 9 bytes needed, 3 left
unknown tag                  false | 6 | invalid term at byte 0: unknown tag 200
tag 68 (eetf panic)          false | 6 | invalid term at byte 0: unknown tag 68
atom cache ref 82            false | 6 | invalid term at byte 0: atom cache reference outside a distribution header
huge list count              false | 6 | invalid term at byte 6: list of 2147483647 elements exceeds the 2 bytes left
huge tuple count             false | 6 | invalid term at byte 5: tuple of 4294967295 elements exceeds the 0 bytes left
huge map count               false | 6 | invalid term at byte 5: map of 2147483648 elements exceeds the 2 bytes left
trailing bytes               false | 6 | invalid term at byte 2: 2 bytes after the end of the term
bad atom utf8                false | 6 | invalid term at byte 1: atom is not valid UTF-8
bad sign byte                false | 6 | invalid term at byte 3: integer sign byte 7
huge bignum                  false | 6 | invalid term at byte 5: integer of 65536 bytes is over the limit of 8192
bad bitstring                false | 6 | invalid term at byte 0: bitstring of 1 bytes cannot end in 9 bits
pid without atom             false | 6 | invalid term at byte 1: expected an atom, found tag 97
nested version               false | 6 | invalid term at byte 2: version byte 131 inside a term
deep nesting                 false | 6 | invalid term at byte 1027: nesting deeper than 512 levels
deep lists                   false | 6 | invalid term at byte 2565: nesting deeper than 512 levels
zip bomb header              false | 6 | invalid term at byte 2: compressed term claims 4294967295 bytes, over the limit of 67108864
compressed size lie          false | 6 | invalid term at byte 6: compressed term inflated to 2 bytes, header said 5
compressed ok                array (
  0 => 1,
) | 0 | NULL
bad zlib                     false | 6 | invalid term at byte 6: bad zlib header: Compression methods other than DEFLATE(8) are unsupported: method=0
fun size lie                 false | 6 | invalid term at byte 1: fun of 4294967295 bytes does not fit
511 levels decode: yes | 0 | NULL
peb_decode(): Argument #1 ($term) must be an Erlang Term resource or a string, int given
peb_decode(): Argument #1 ($term) must be an Erlang Term resource or a string, null given
peb_decode(): Argument #1 ($term) must be an Erlang Term resource or a string, array given
peb_decode(): Argument #1 ($term) must be an Erlang Term resource or a string, resource given
