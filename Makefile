# ltrack - build, test, bench, fuzz.  `make` alone builds everything.
#
#   make run            install missing packages, build, run on ./policy.toml
#   make test           install missing packages, build, run every suite
#   make SANITIZE=1 test   the same under ASan/UBSan (separate build dir)
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

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	      -I$(BUILD) -Iinclude -Isrc/bpf

# kernel side: one object per concern, linked into one skeleton
BPF_SRCS := $(wildcard src/bpf/*.bpf.c)
BPF_OBJS := $(patsubst src/bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_HDRS := $(wildcard src/bpf/*.bpf.h) include/ltrack/event.h

# user side: every module but main is also linked into the tests
LIB_SRCS := $(filter-out src/main.c,$(wildcard src/*.c src/output/*.c))
LIB_OBJS := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
HDRS := $(wildcard src/*.h src/output/*.h) include/ltrack/event.h

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

.PHONY: all deps deps-test run test unit e2e bench fuzz format clean check-banned
all: deps $(BUILD)/ltrack $(BUILD)/tests/e2e-helper

deps:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

$(BUILD)/vmlinux.h:
	@mkdir -p $(@D)
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

$(BUILD)/bpf/%.bpf.o: src/bpf/%.bpf.c $(BPF_HDRS) $(BUILD)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/ltrack.bpf.o: $(BPF_OBJS)
	$(BPFTOOL) gen object $@ $^

$(BUILD)/ltrack.skel.h: $(BUILD)/ltrack.bpf.o
	$(BPFTOOL) gen skeleton $< name ltrack_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: src/%.c $(HDRS) $(BUILD)/ltrack.skel.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libltrack.a: $(LIB_OBJS)
	ar rcs $@ $^

$(BUILD)/ltrack: $(BUILD)/obj/main.o $(BUILD)/libltrack.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libltrack.a $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libltrack.a $(LDFLAGS) $(LDLIBS) -lcmocka

$(BUILD)/tests/e2e-helper: tests/e2e/helper.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS)

run: deps $(BUILD)/ltrack
	./$(BUILD)/ltrack --config policy.toml

unit: deps-test $(UNIT_BINS)
	@tests/run-unit.sh $(UNIT_BINS)

e2e: deps-test all
	@LTRACK=$(abspath $(BUILD)/ltrack) HELPER=$(abspath $(BUILD)/tests/e2e-helper) \
		python3 tests/e2e/run.py

test: deps-test all $(UNIT_BINS) check-banned
	@tests/run-all.sh "$(BUILD)" $(UNIT_BINS)

check-banned:
	@! grep -rnE '\b(strcpy|strcat|sprintf|vsprintf|gets)\s*\(' src include tests/unit \
		|| { echo "banned unbounded string call (use the bounded forms)"; exit 1; }

bench: deps $(BUILD)/ltrack
	@scripts/deps.sh bench
	$(MAKE) -C bench run LTRACK=$(abspath $(BUILD)/ltrack)

fuzz:
	$(MAKE) -C tests/fuzz run

format:
	clang-format -i $$(find src include tests -name '*.[ch]')

clean:
	rm -rf build build-san
