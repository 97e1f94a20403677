# Appended by configure to phpize's Makefile (config.m4): `make` builds the
# Rust library with cargo and puts it at modules/peb.so, where phpize's
# rules look (build-modules, install-modules: `make install` copies it to
# the extension dir; test: run-tests.php loads it from modules/).
# `make test` runs the phpt suite (php-tests/) the way scripts/test does:
# inside an environment of scripts/lib/test-env.sh (a private epmd, a test
# node, a random cookie, all stopped by pid at the end), which
# scripts/lib/phpize-test-php starts around run-tests.php.

PEB_SO = $(top_builddir)/modules/peb.so
# The PHP configure found, before the test rule points PHP_EXECUTABLE at the wrapper.
PEB_PHP := $(PHP_EXECUTABLE)

all: $(PEB_SO)
build-modules: $(PEB_SO)

# cargo decides what to rebuild: the rule always runs it.
$(PEB_SO): peb-cargo
	@mkdir -p $(top_builddir)/modules
	cp $(top_srcdir)/target/release/libpeb.so $@

peb-cargo:
	cd $(top_srcdir) && PHP_CONFIG="$(PEB_PHP_CONFIG)" $(CARGO) build --release --locked

# phpize's test rule, pointed at the suite, the built library and the
# environment (target-specific values: its recipe stays phpize's own).
test: TESTS = -j2 --show-diff $(top_srcdir)/php-tests
test: PHP_TEST_SHARED_EXTENSIONS = -d extension=peb.so
test: PHP_EXECUTABLE := $(top_srcdir)/scripts/lib/phpize-test-php
test: export PEB_PHP_REAL = $(PEB_PHP)
test: export PEB_EXTENSION = $(abspath $(PEB_SO))

clean: peb-clean
peb-clean:
	rm -f $(PEB_SO)

.PHONY: peb-cargo peb-clean
