# Thin wrapper: the real build is meson/ninja in $(BUILD).
BUILD ?= build
NINJA ?= ninja
MESON ?= meson

.PHONY: all check demo bench clean distclean

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

clean:
	-$(NINJA) -C $(BUILD) clean

distclean:
	rm -rf $(BUILD)
