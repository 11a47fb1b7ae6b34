# The two commands of the README, and their parts. CMake does the real work.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
NP ?= 3
MPIRUN_FLAGS := --oversubscribe $(if $(filter 0,$(shell id -u)),--allow-run-as-root,)
# More CMake options, e.g. for libraries from site modules (README.md, "Building on a cluster").
CMAKE_ARGS ?=

.PHONY: all deps test-deps configure build demo test clean fuzz-build fuzz-smoke
# In the order written: `make test` installs its packages before it configures.
.NOTPARALLEL:

all: build

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh --test

# Configures every time (seconds when nothing changed), so that whatever a dependency install
# added since the last configure is seen: `make demo` then `make test` must not keep the
# demo's "not found" results. CMake searches again for anything cached as NOTFOUND.
configure: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# Tunes the 3-layer MLP with ASHA: rank 0 coordinates, 2 worker ranks train.
demo: build
	rm -rf out/quickstart
	mpirun $(MPIRUN_FLAGS) -np $(NP) $(BUILD)/rung run jobs/quickstart.yaml --out out/quickstart

test: test-deps build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# Fuzzing (tests/fuzz): libFuzzer targets for every reader of outside bytes, built with clang,
# ASan and UBSan in their own tree. `make fuzz-smoke` runs each for FUZZ_SECONDS (CI's short
# run); bench/fuzz/run.sh runs them for an hour each.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 20

fuzz-build: test-deps
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRUNG_FUZZ=ON -DRUNG_FUZZ_SECONDS=$(FUZZ_SECONDS) \
	  -DRUNG_BUILD_TESTS=OFF -DRUNG_BUILD_BENCH=OFF $(CMAKE_ARGS)
	cmake --build $(FUZZ_BUILD) --target rung_fuzzers -j $(JOBS)

fuzz-smoke: fuzz-build
	ctest --test-dir $(FUZZ_BUILD) -L fuzz --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) out
