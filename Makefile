# Thin wrapper: the real build is meson/ninja in $(BUILD).
BUILD ?= build
NINJA ?= ninja
MESON ?= meson

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
