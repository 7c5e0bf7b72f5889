# SPDX-License-Identifier: GPL-2.0-or-later
# Thin wrapper: the real build is meson/ninja in $(BUILD).
BUILD ?= build
NINJA ?= ninja
MESON ?= meson

# Every build first makes sure the Debian build dependencies are there
# (scripts/install-deps.sh installs what is missing as root or through
# sudo, or prints the apt-get line and stops), so "make demo" and
# "make check" work on a fresh machine.  "make NO_DEPS=1" skips it.
.DEFAULT_GOAL := all
.PHONY: deps
deps:
	@[ -n "$(NO_DEPS)" ] || scripts/install-deps.sh
$(BUILD)/build.ninja: | deps

# "make install PREFIX=/opt/spapr-vfio" (default /usr/local); DESTDIR
# stages the files as usual.
PREFIX ?=

.PHONY: all check demo bench install clean distclean

all: $(BUILD)/build.ninja
	$(NINJA) -C $(BUILD)

$(BUILD)/build.ninja:
	./configure --builddir=$(BUILD)

check: all
	$(MESON) test -C $(BUILD) --print-errorlogs --no-rebuild

demo: all
	$(BUILD)/tests/qtest/spapr-vfio-demo

bench: all
	$(MESON) test -C $(BUILD) --no-rebuild --benchmark --verbose

install: all
	$(if $(PREFIX),$(MESON) configure $(BUILD) --prefix=$(abspath $(PREFIX)) && \
	  $(NINJA) -C $(BUILD))
	$(MESON) install -C $(BUILD) --no-rebuild

clean:
	-$(NINJA) -C $(BUILD) clean

distclean:
	rm -rf $(BUILD)
