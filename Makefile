# shoal — top-level entry points. CMake does the building; this file drives it.
#   make          build every tool into build/bin/
#   make test     unit tests (GoogleTest) + tool and pipeline tests (Bats)
#   make demo     install what is missing, build, run the flow on a generated model
#   make deps     install the Debian packages (as root, or through sudo)
#   make install  the tools into PREFIX/libexec/shoal/ (front command PREFIX/bin/shoal), the
#                 pipelines and hls/ modules into PREFIX/share/shoal/
#   make fuzz     the libFuzzer targets (clang) in build-fuzz/, each run FUZZ_SECONDS
#                 (default 60) on its corpus; fuzz/README.md

BUILD ?= build
PREFIX ?= /usr/local
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD_TYPE ?= RelWithDebInfo

# Debian 12 packages the project needs (DESIGN.md §7).
DEB_PACKAGES := g++ cmake make pkg-config libonnx-dev libprotobuf-dev protobuf-compiler \
  nlohmann-json3-dev libcxxopts-dev libfmt-dev libgtest-dev googletest \
  bats bats-support bats-assert python3-numpy python3-onnx \
  verilator yosys iverilog nextpnr-ice40 fpga-icestorm tcl parallel ccache

.PHONY: all build test unit-test tool-test demo deps check-deps install clean format format-check lint \
  check-layers fuzz

all: build

# cmake_install.cmake is written only when configuring succeeded (CMakeCache.txt is written
# before a failure too, e.g. a missing package, and would stop the next make from retrying).
$(BUILD)/cmake_install.cmake:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: $(BUILD)/cmake_install.cmake
	cmake --build $(BUILD) -j $(JOBS)

test: build
	@tests/run.sh $(BUILD)

demo: check-deps build
	@scripts/demo.sh $(BUILD)

# Installs only what is missing, so `make demo` is quick on a prepared machine.
check-deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "installing missing packages:" $$missing; $(MAKE) --no-print-directory deps; fi

deps:
	@if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 $(DEB_PACKAGES)

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

# One target at a time, niced; crashes in build-fuzz/fuzz/crashes/TARGET/, exit 1 on any.
# FUZZ_TARGETS="npy executor" runs only those.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
fuzz:
	@FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh $(FUZZ_TARGETS)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

# verilator --lint-only -Wall over every hls/ module (tests/hls/run.sh lints each
# parameterization it simulates; this is the quick stand-alone check).
lint:
	@for f in hls/*.sv; do verilator --lint-only -Wall -Ihls $$f --top-module $$(basename $$f .sv) || exit 1; done; echo "hls/ lint-clean"

# libcommon's includes go down its layer list only (libcommon/README.md); make test runs
# this through tests/scripts/check-layers.bats.
check-layers:
	@scripts/check-layers libcommon

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD)
