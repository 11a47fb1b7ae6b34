# The two commands of the README, and their parts. CMake does the real work.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
NP ?= 3
MPIRUN_FLAGS := --oversubscribe $(if $(filter 0,$(shell id -u)),--allow-run-as-root,)

.PHONY: all deps test-deps configure build demo test clean

all: build

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh --test

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

configure: deps $(BUILD)/CMakeCache.txt

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
