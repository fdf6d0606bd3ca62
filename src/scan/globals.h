/* SPDX-License-Identifier: MIT */
/*
 * globals - what a pickle global reference ("module", "name") is worth.
 *
 * The verdict comes from an allow-list modelled on PyTorch's weights_only
 * unpickler, extended with the benign class references of common real files
 * (torch zip/legacy/TorchScript saves, numpy arrays, scikit-learn estimators
 * saved with joblib). A global on it is clean. Anything else is suspicious;
 * the deny-lists (picklescan's and modelscan's unsafe globals, fickling's
 * UNSAFE_IMPORTS) only raise that to dangerous. Deny matching checks the
 * module and every parent module ("os.path" is "os"), and every component
 * of a dotted name (protocol 4 resolves "os.system" in module "pathlib" by
 * attribute traversal, so a component that names a denied module or a
 * dunder such as __subclasses__ makes the reference dangerous).
 */
#ifndef LTRACK_SCAN_GLOBALS_H
#define LTRACK_SCAN_GLOBALS_H

#include <stddef.h>

#include "scan/scan.h"

/*
 * globals_classify - SCAN_CLEAN (allow-listed), SCAN_SUSPICIOUS or
 * SCAN_DANGEROUS for the global @module.@name (lengths @mlen, @nlen; not
 * NUL-terminated, may hold any byte). Python 2 names (__builtin__,
 * copy_reg, ...) are mapped the way pickle's fix_imports does; a reference
 * is dangerous when either spelling is denied. A short reason ("not on the
 * allow-list", "module os is denied") is written to @why (may be NULL).
 * Thread-safe.
 */
enum scan_verdict globals_classify(const char *module, size_t mlen, const char *name, size_t nlen,
				   char *why, size_t whylen);

#endif
