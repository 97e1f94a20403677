dnl The phpize build of peb (phpize && ./configure --enable-peb && make &&
dnl make install; PIE runs the same): the extension is Rust, so configure
dnl only finds cargo, and Makefile.frag has make run `cargo build --release`
dnl and put the library where phpize's install and test rules look for it,
dnl modules/peb.so. No C is compiled.
PHP_ARG_ENABLE([peb],
  [whether to enable peb, the PHP-Erlang bridge],
  [AS_HELP_STRING([--enable-peb], [Enable peb, the PHP-Erlang bridge (built with cargo)])],
  [yes])

if test "$PHP_PEB" != "no"; then
  AC_PATH_PROG([CARGO], [cargo], [no], [$PATH:$HOME/.cargo/bin])
  if test "$CARGO" = "no"; then
    AC_MSG_ERROR([cargo (Rust 1.85 or newer) is required to build peb: https://rustup.rs])
  fi
  PHP_SUBST([CARGO])
  dnl cargo builds against the PHP configure was given (--with-php-config),
  dnl as ext-php-rs and build.rs read PHP_CONFIG.
  PEB_PHP_CONFIG=`command -v "$PHP_CONFIG" || echo "$PHP_CONFIG"`
  PHP_SUBST([PEB_PHP_CONFIG])
  dnl The one build dir: phpize's configure makes the dirs listed, and fails on none.
  PHP_ADD_BUILD_DIR([modules])
  dnl No PHP_NEW_EXTENSION (no C sources), so the fragment is named in full.
  PHP_ADD_MAKEFILE_FRAGMENT([$abs_srcdir/Makefile.frag], [$abs_srcdir], [$abs_builddir])
fi
