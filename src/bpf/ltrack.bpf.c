// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ltrack.bpf.c - the one BPF object: every concern's programs in one unit.
 *
 * The concerns stay in their own files (process, file, snapshot). They are
 * compiled together rather than linked with `bpftool gen object`, because
 * the static linker of Debian 12's libbpf 1.1 cannot merge a kfunc extern
 * (bpf_rdonly_cast, see core_fixes.bpf.h) declared by several objects
 * ("failed to resolve size of underlying type"). Revisit with libbpf >= 1.2.
 */
#include "process.bpf.c"
#include "file.bpf.c"
#include "snapshot.bpf.c"
#include "evade.bpf.c"	/* evade */
#include "mem.bpf.c"	/* mem */
#include "lib.bpf.c"	/* lib: library loads */
#include "net.bpf.c"	/* net */
#include "model.bpf.c"	/* model: after net, whose socket helpers it uses */
char LICENSE[] SEC("license") = "Dual BSD/GPL";
