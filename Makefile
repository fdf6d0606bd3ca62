# ltrack - build, test, bench, fuzz.  `make` alone builds everything.
#
#   make run            install missing packages, build, run on ./policy.toml
#   make test           install missing packages, build, run every suite (with a
#                       fuzz smoke run: FUZZ_SMOKE_SECONDS per harness, default 5,
#                       and the verifier budget: make verify)
#   make verify         each BPF program's verifier cost against the budget (root)
#   make SANITIZE=1 test   the same under ASan/UBSan (separate build dir)
#   make test-kernels   boot Debian 12's own kernel (6.1) under qemu and run
#                       tests/kernels/guest.sh in it (docs/kernels.md)
#   make bench          overhead and loss versus no monitor and the peers
#   make fuzz           short libFuzzer runs of every parser
#   make format         clang-format the tree

SANITIZE ?= 0
ifeq ($(SANITIZE),1)
BUILD ?= build-san
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD ?= build
SAN_FLAGS :=
endif

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

VERSION := 0.1.0
GIT_REV := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 $(WARN) -D_GNU_SOURCE -Iinclude -Isrc -I$(BUILD) $(SAN_FLAGS) \
	  -DLTRACK_VERSION='"$(VERSION)"' -DLTRACK_REV='"$(GIT_REV)"'
LDFLAGS += $(SAN_FLAGS)
LDLIBS := -lbpf -lelf -lz
LDLIBS += -lcrypto -lpthread	# hash: SHA-256 (OpenSSL EVP), worker threads
LDLIBS += -lseccomp	# scan: the scan workers' syscall filter (src/scan/sandbox.c)

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	      -I$(BUILD) -Iinclude -Isrc/bpf

# kernel side: one file per concern, compiled as one unit (see src/bpf/ltrack.bpf.c)
BPF_HDRS := $(wildcard src/bpf/*.bpf.h src/bpf/*.bpf.c) include/ltrack/event.h

# user side: every module but main is also linked into the tests
LIB_SRCS := $(filter-out src/main.c,$(wildcard src/*.c src/output/*.c src/scan/*.c))
LIB_OBJS := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
HDRS := $(wildcard src/*.h src/output/*.h src/scan/*.h) include/ltrack/event.h

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

# BPF helper tests: tests/bpf/X_test.bpf.c driven by tests/bpf/test_X.c (root)
BPFT_SRCS := $(wildcard tests/bpf/test_*.c)
BPFT_BINS := $(patsubst tests/bpf/%.c,$(BUILD)/tests/bpf/%,$(BPFT_SRCS))

# `make V=1` shows the commands
ifeq ($(V),1)
Q :=
msg := @true
else
Q := @
msg := @printf '  %-8s %s\n'
endif

# keep generated skeletons and BPF objects (they are intermediates of pattern rules)
.SECONDARY:

.PHONY: all deps deps-test deps-kernels run test test-kernels unit e2e verify bench fuzz \
	format clean check-banned docs check-docs
all: deps $(BUILD)/ltrack $(BUILD)/tests/e2e-helper

deps:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

deps-kernels:
	@scripts/deps.sh kernels

$(BUILD)/vmlinux.h:
	@mkdir -p $(@D)
	$(msg) GEN $@
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

$(BUILD)/ltrack.bpf.o: src/bpf/ltrack.bpf.c $(BPF_HDRS) $(BUILD)/vmlinux.h
	@mkdir -p $(@D)
	$(msg) BPF $@
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp.o
	$(Q)$(BPFTOOL) gen object $@ $@.tmp.o
	$(Q)rm -f $@.tmp.o

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(msg) SKEL $@
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: src/%.c $(HDRS) $(BUILD)/ltrack.skel.h
	@mkdir -p $(@D)
	$(msg) CC $@
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libltrack.a: $(LIB_OBJS)
	$(msg) AR $@
	$(Q)ar rcs $@ $^

$(BUILD)/ltrack: $(BUILD)/obj/main.o $(BUILD)/libltrack.a
	$(msg) LINK $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libltrack.a $(HDRS)
	@mkdir -p $(@D)
	$(msg) CC $@
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libltrack.a $(LDFLAGS) $(LDLIBS) -lcmocka

# the syscall driver of the e2e tests is built without sanitizers even in
# SANITIZE=1: their runtime forks (LeakSanitizer) and breaks under setresuid,
# and the tests count exactly its forks and exits
$(BUILD)/tests/e2e-helper: tests/e2e/helper.c
	@mkdir -p $(@D)
	$(msg) CC $@
	$(Q)$(CC) $(filter-out $(SAN_FLAGS),$(CFLAGS)) -o $@ $< -lpthread

# evade: the syscall driver of tests/e2e/t_evade.py (same rules as e2e-helper)
all: $(BUILD)/tests/evade-helper
$(BUILD)/tests/evade-helper: tests/e2e/evade-helper.c
	@mkdir -p $(@D)
	$(msg) CC $@
	$(Q)$(CC) $(filter-out $(SAN_FLAGS),$(CFLAGS)) -o $@ $< -lpthread
# end evade

$(BUILD)/%_test.bpf.o: tests/bpf/%_test.bpf.c $(BPF_HDRS) $(wildcard tests/bpf/*.h) $(BUILD)/vmlinux.h
	$(msg) BPF $@
	$(Q)$(CLANG) $(BPF_CFLAGS) -Itests/bpf -c $< -o $@

$(BUILD)/tests/bpf/test_%: tests/bpf/test_%.c $(BUILD)/%_test.skel.h
	@mkdir -p $(@D)
	$(msg) CC $@
	$(Q)$(CC) $(CFLAGS) -Itests/bpf -o $@ $< $(LDFLAGS) $(LDLIBS) -lcmocka

run: deps $(BUILD)/ltrack
	./$(BUILD)/ltrack --config policy.toml

unit: deps-test $(UNIT_BINS)
	@tests/run-unit.sh $(UNIT_BINS)

e2e: deps-test all
	@LTRACK=$(abspath $(BUILD)/ltrack) HELPER=$(abspath $(BUILD)/tests/e2e-helper) \
		python3 tests/e2e/run.py

# the verifier's cost of each BPF program on this kernel, against the budget
# (docs/kernels.md); root. `make test` runs it too, as one test
verify: deps $(BUILD)/ltrack
	./$(BUILD)/ltrack verify

test: deps-test all $(UNIT_BINS) $(BPFT_BINS) check-banned check-docs
	@tests/run-all.sh "$(BUILD)" $(UNIT_BINS) -- $(BPFT_BINS)

# Debian 12's kernel in a qemu VM (TCG), the guest's root an initramfs made of
# $(BUILD): not part of `make test`. VM_ARGS go to tests/kernels/vm-run.sh,
# e.g. VM_ARGS="-- ltrack verify" runs one command instead of the phases.
test-kernels: deps-kernels all
	@tests/kernels/vm-run.sh -b $(BUILD) $(VM_ARGS)

# docs/policy.md is generated from the key table in src/config.c
docs: $(BUILD)/ltrack
	./$(BUILD)/ltrack --policy-reference > docs/policy.md

check-docs: $(BUILD)/ltrack
	@./$(BUILD)/ltrack --policy-reference | diff -u docs/policy.md - \
		|| { echo "docs/policy.md is stale: run make docs"; exit 1; }

check-banned:
	@! grep -rnE '\b(strcpy|strcat|sprintf|vsprintf|gets)\s*\(' src include tests/unit \
		|| { echo "banned unbounded string call (use the bounded forms)"; exit 1; }

bench: deps $(BUILD)/ltrack
	@scripts/deps.sh bench
	$(MAKE) -C bench hash BUILD=$(abspath $(BUILD))	# hash: SHA-256 vs openssl dgst
	$(MAKE) -C bench scan	# model: the pickle scanner, in-process
	$(MAKE) -C bench run LTRACK=$(abspath $(BUILD)/ltrack)

fuzz:
	$(MAKE) -C tests/fuzz run

format:
	clang-format -i $$(find src include tests -name '*.[ch]')

clean:
	rm -rf build build-san
