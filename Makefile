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
#   make format         clang-format the tree (installs clang-format if missing)
#   make install        ltrack into $(PREFIX)/sbin, the default policy into
#                       /etc/ltrack/policy.toml unless one is there (DESTDIR too)

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
	  -DLTRACK_VERSION='"$(VERSION)"'
LDFLAGS += $(SAN_FLAGS)
LDLIBS := -lbpf -lelf -lz
LDLIBS += -lcrypto -lpthread	# hash: SHA-256 (OpenSSL EVP), worker threads
LDLIBS += -lseccomp	# scan: the scan workers' syscall filter (src/scan/sandbox.c)
LDLIBS += -lbz2 -llzma	# scan: bzip2, xz and lzma streams (src/scan/decomp.c)

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	      -I$(BUILD) -Iinclude -Isrc/bpf

# Header dependencies: each compile writes a .d file beside its output
# listing the headers it read (-MMD; -MP adds an empty rule per header, so
# a deleted header does not stop the build). They are included at the end.
DEPFLAGS = -MMD -MP

# user side: every module but main is also linked into the tests
LIB_SRCS := $(filter-out src/main.c,$(wildcard src/*.c src/model/*.c src/output/*.c src/scan/*.c))
LIB_OBJS := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
# The sources that include the generated skeleton: a .d file only exists
# after a first build, so they wait for the skeleton explicitly.
SKEL_OBJS := $(patsubst src/%.c,$(BUILD)/obj/%.o,\
	       $(shell grep -l '"ltrack.skel.h"' src/*.c src/model/*.c src/output/*.c src/scan/*.c))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

# BPF helper tests: tests/bpf/X_test.bpf.c driven by tests/bpf/test_X.c (root)
BPFT_SRCS := $(wildcard tests/bpf/test_*.c)
BPFT_BINS := $(patsubst tests/bpf/%.c,$(BUILD)/tests/bpf/%,$(BPFT_SRCS))
BPFT_OBJS := $(patsubst tests/bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(wildcard tests/bpf/*_test.bpf.c))

DEPFILES := $(patsubst %.o,%.d,$(LIB_OBJS) $(BUILD)/obj/main.o $(BUILD)/ltrack.bpf.o \
	      $(BPFT_OBJS)) \
	    $(addsuffix .d,$(UNIT_BINS) $(BPFT_BINS) $(BUILD)/tests/e2e-helper \
	      $(BUILD)/tests/evade-helper)

# The Debian packages the goals need (scripts/deps.sh sets), installed by
# one run of deps.sh (two apt-get at once would fight over dpkg's lock)
# before anything is built: every rule that runs an installed tool (clang,
# bpftool, gcc, cmocka, ...) has `| deps`, an order-only prerequisite, so
# under -j nothing starts before the tools are there, and nothing is
# rebuilt because deps ran. deps is phony: it runs every time (it does
# nothing when all is installed), so a package removed since is put back.
DEPS_SETS := $(if $(filter-out format clean check-banned,$(or $(MAKECMDGOALS),all)),build)
ifneq ($(filter test unit e2e fuzz $(BUILD)/tests/%,$(MAKECMDGOALS)),)
DEPS_SETS += test
endif
ifneq ($(filter bench,$(MAKECMDGOALS)),)
DEPS_SETS += bench
endif
ifneq ($(filter format,$(MAKECMDGOALS)),)
DEPS_SETS += format
endif
ifneq ($(filter test-kernels,$(MAKECMDGOALS)),)
DEPS_SETS += kernels
endif

# `make V=1` shows the commands
ifeq ($(V),1)
Q :=
msg := @true
else
Q := @
msg := @printf '  %-8s %s\n'
endif

# keep generated skeletons and BPF objects (.SECONDARY would do that too, but
# it makes every target intermediate: a deleted skeleton would then not be
# remade while the objects that include it look up to date)
.PRECIOUS: $(BUILD)/%.bpf.o $(BUILD)/%.skel.h
# a recipe that fails leaves no half-written target that would pass for built
.DELETE_ON_ERROR:

.PHONY: all deps run test test-kernels unit e2e verify bench fuzz format clean check-banned \
	docs check-docs install
# the e2e syscall drivers: helper.c for every test, evade-helper.c for t_evade.py
all: $(BUILD)/ltrack $(BUILD)/tests/e2e-helper $(BUILD)/tests/evade-helper \
	$(BUILD)/tests/lt-loader $(BUILD)/tests/libhack.so

deps:
	@scripts/deps.sh $(DEPS_SETS)

$(BUILD)/vmlinux.h: | deps
	@mkdir -p $(@D)
	$(msg) GEN $@
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

# -MT/-MF: the .d names the object, not the temporary file clang writes
$(BUILD)/ltrack.bpf.o: src/bpf/ltrack.bpf.c $(BUILD)/vmlinux.h | deps
	@mkdir -p $(@D)
	$(msg) BPF $@
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -MT $@ -MF $(@:.o=.d) -c $< -o $@.tmp.o
	$(Q)$(BPFTOOL) gen object $@ $@.tmp.o
	$(Q)rm -f $@.tmp.o

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o | deps
	$(msg) SKEL $@
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@.tmp && mv $@.tmp $@

$(SKEL_OBJS): $(BUILD)/ltrack.skel.h

$(BUILD)/obj/%.o: src/%.c | deps
	@mkdir -p $(@D)
	$(msg) CC $@
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

# the commit `ltrack --version` names: rewritten only when it changes, so
# that main.o is rebuilt at each new commit and nothing else is
$(BUILD)/version.h: FORCE
	@mkdir -p $(@D)
	@echo '#define LTRACK_REV "$(GIT_REV)"' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(BUILD)/obj/main.o: $(BUILD)/version.h
.PHONY: FORCE
FORCE:

$(BUILD)/libltrack.a: $(LIB_OBJS) | deps
	$(msg) AR $@
	$(Q)ar rcs $@ $^

$(BUILD)/ltrack: $(BUILD)/obj/main.o $(BUILD)/libltrack.a | deps
	$(msg) LINK $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libltrack.a | deps
	@mkdir -p $(@D)
	$(msg) CC $@
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -o $@ $< $(BUILD)/libltrack.a $(LDFLAGS) $(LDLIBS) -lcmocka

# the syscall drivers of the e2e tests are built without sanitizers even in
# SANITIZE=1: their runtime forks (LeakSanitizer) and breaks under setresuid,
# and the tests count exactly their forks and exits
$(BUILD)/tests/e2e-helper: tests/e2e/helper.c | deps
	@mkdir -p $(@D)
	$(msg) CC $@
	$(Q)$(CC) $(filter-out $(SAN_FLAGS),$(CFLAGS)) $(DEPFLAGS) -o $@ $< -lpthread

$(BUILD)/tests/evade-helper: tests/e2e/evade-helper.c | deps
	@mkdir -p $(@D)
	$(msg) CC $@
	$(Q)$(CC) $(filter-out $(SAN_FLAGS),$(CFLAGS)) $(DEPFLAGS) -o $@ $< -lpthread

# lib: t_lib.py's loader program and untrusted library (no sanitizers: the
# tests compare their mappings exactly)
$(BUILD)/tests/lt-loader: tests/e2e/lib-loader.c | deps
	@mkdir -p $(@D)
	$(msg) CC $@
	$(Q)$(CC) -O1 -Wall -Werror -o $@ $< -ldl

$(BUILD)/tests/libhack.so: tests/e2e/lib-hack.c | deps
	@mkdir -p $(@D)
	$(msg) CC $@
	$(Q)$(CC) -O1 -Wall -Werror -shared -fPIC -o $@ $<

$(BUILD)/%_test.bpf.o: tests/bpf/%_test.bpf.c $(BUILD)/vmlinux.h | deps
	$(msg) BPF $@
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -Itests/bpf -c $< -o $@

$(BUILD)/tests/bpf/test_%: tests/bpf/test_%.c $(BUILD)/%_test.skel.h | deps
	@mkdir -p $(@D)
	$(msg) CC $@
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -Itests/bpf -o $@ $< $(LDFLAGS) $(LDLIBS) -lcmocka

# phony goals whose own recipe runs an installed tool also wait for deps
run: $(BUILD)/ltrack
	./$(BUILD)/ltrack --config policy.toml

unit: deps $(UNIT_BINS)
	@tests/run-unit.sh $(UNIT_BINS)

e2e: deps all
	@LTRACK=$(abspath $(BUILD)/ltrack) HELPER=$(abspath $(BUILD)/tests/e2e-helper) \
		python3 tests/e2e/run.py

# the verifier's cost of each BPF program on this kernel, against the budget
# (docs/kernels.md); root. `make test` runs it too, as one test
verify: $(BUILD)/ltrack
	./$(BUILD)/ltrack verify

test: deps all $(UNIT_BINS) $(BPFT_BINS) check-banned check-docs
	@tests/run-all.sh "$(BUILD)" $(UNIT_BINS) -- $(BPFT_BINS)

# Debian 12's kernel in a qemu VM (TCG), the guest's root an initramfs made of
# $(BUILD): not part of `make test`. VM_ARGS go to tests/kernels/vm-run.sh,
# e.g. VM_ARGS="-- ltrack verify" runs one command instead of the phases.
test-kernels: deps all
	@tests/kernels/vm-run.sh -b $(BUILD) $(VM_ARGS)

# docs/policy.md is generated from the key table in src/config.c; the
# generated blocks of docs/events.md (the table of event types, the field
# tables) from the type and field registries (src/events.c, src/fields.c)
docs: $(BUILD)/ltrack
	./$(BUILD)/ltrack --policy-reference > docs/policy.md
	./$(BUILD)/ltrack --event-reference < docs/events.md > $(BUILD)/events.md
	mv $(BUILD)/events.md docs/events.md

check-docs: $(BUILD)/ltrack
	@./$(BUILD)/ltrack --policy-reference | diff -u docs/policy.md - \
		|| { echo "docs/policy.md is stale: run make docs"; exit 1; }
	@./$(BUILD)/ltrack --event-reference < docs/events.md | diff -u docs/events.md - \
		|| { echo "docs/events.md's generated tables are stale: run make docs"; exit 1; }

check-banned:
	@! grep -rnE '\b(strcpy|strcat|sprintf|vsprintf|gets)\s*\(' src include tests/unit \
		|| { echo "banned unbounded string call (use the bounded forms)"; exit 1; }

bench: deps $(BUILD)/ltrack
	$(MAKE) -C bench hash BUILD=$(abspath $(BUILD))	# hash: SHA-256 vs openssl dgst
	$(MAKE) -C bench scan BUILD=$(abspath $(BUILD))	# model: the pickle scanner, in-process
	$(MAKE) -C bench fmt BUILD=$(abspath $(BUILD))	# the JSON encoder alone, ns per event
	$(MAKE) -C bench run LTRACK=$(abspath $(BUILD)/ltrack)

fuzz: deps
	$(MAKE) -C tests/fuzz run

format: deps
	clang-format -i $$(find src include tests -name '*.[ch]')

# install: the agent and its default policy. PREFIX (/usr/local) and
# DESTDIR (a staging root, for packaging) as usual. The policy is installed
# only where none is: an administrator's edits are never overwritten.
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
install: $(BUILD)/ltrack
	install -d -m 0755 $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(SYSCONFDIR)/ltrack
	install -m 0755 $(BUILD)/ltrack $(DESTDIR)$(PREFIX)/sbin/ltrack
	[ -e $(DESTDIR)$(SYSCONFDIR)/ltrack/policy.toml ] || \
		install -m 0644 policy.toml $(DESTDIR)$(SYSCONFDIR)/ltrack/policy.toml

clean:
	rm -rf build build-san

# the headers each object read at its last build (none yet: it is built anyway)
-include $(DEPFILES)
