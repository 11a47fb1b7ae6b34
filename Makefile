# The two commands of the README, and their parts. CMake does the real work.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
NP ?= 3
MPIRUN_FLAGS := --oversubscribe $(if $(filter 0,$(shell id -u)),--allow-run-as-root,)
# More CMake options, e.g. for libraries from site modules (README.md, "Building on a cluster").
CMAKE_ARGS ?=

.PHONY: all deps test-deps configure build demo test clean
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

clean:
	rm -rf $(BUILD) out
