#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""
pymodules.py SCRIPT... - the files of Python's standard library that SCRIPT...
import, for the guest's initramfs (tests/kernels/mkinitramfs.sh). Prints one
absolute path a line: the .py, its cached .pyc, or an extension module .so,
plus the package __init__ files on the way.

modulefinder follows every import it can read, in functions and try blocks
too, so the set is a superset of what runs. It does not see the imports
inside the Python code the tests hand to `python3 -c` as strings, so every
`import X` / `from X import` in the scripts' text is added as well. Only the
standard library is searched (never dist-packages): a script's import of a
third-party module (torch, numpy) is reported on stderr and left out.

modulefinder's closure also holds whatever a module might import in some
function the tests never call (pickletools' self-test pulls in doctest, and
with it unittest, pdb, pydoc, email, http...). EXCLUDE cuts those branches;
a module the scripts name themselves is never cut. Run with the guest's
interpreter (/usr/bin/python3), whose library this describes.
"""

import importlib.util
import keyword
import modulefinder
import os
import re
import sys
import sysconfig

STDLIB = sysconfig.get_paths()["stdlib"]
DYNLOAD = os.path.join(STDLIB, "lib-dynload")

# what the interpreter itself imports at start-up (site, the codecs of a C or
# UTF-8 locale), and the codecs socket and subprocess may ask for by name
STARTUP = ["site", "encodings", "encodings.aliases", "encodings.utf_8", "encodings.utf_8_sig",
           "encodings.ascii", "encodings.latin_1", "encodings.idna", "encodings.raw_unicode_escape",
           "encodings.unicode_escape"]

# never reached by the tests' code paths; each pulls in many files
EXCLUDE = ["asyncio", "bdb", "cmd", "code", "codeop", "concurrent", "ctypes", "decimal",
           "distutils", "doctest", "email", "ftplib", "getpass", "http", "importlib.metadata",
           "importlib.resources", "lib2to3", "multiprocessing", "netrc", "pdb", "pydoc",
           "pydoc_data", "readline", "rlcompleter", "ssl", "test", "tkinter", "tty", "unittest",
           "urllib.request", "webbrowser", "xml", "xmlrpc", "_pydecimal", "_testcapi",
           "_testinternalcapi", "tracemalloc", "_osx_support", "_aix_support", "_bootsubprocess"]

IMPORT_RE = re.compile(r"\bimport\s+([A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*)"
                       r"|\bfrom\s+([A-Za-z_][\w.]*)\s+import\b")


def text_imports(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    names = set()
    for m in IMPORT_RE.finditer(text):
        if m.group(1):
            names.update(n.strip() for n in m.group(1).split(","))
        else:
            names.add(m.group(2))
    return {n for n in names if not any(keyword.iskeyword(p) for p in n.split("."))}


def main(scripts):
    names = set(STARTUP)
    for s in scripts:
        names |= text_imports(s)
    excludes = [e for e in EXCLUDE if e not in names]
    finder = modulefinder.ModuleFinder(path=[STDLIB, DYNLOAD], excludes=excludes)
    for s in scripts:
        finder.run_script(s)
    for n in sorted(names):
        try:
            finder.import_hook(n)
        except ImportError:
            pass
    files = set()
    for name, mod in finder.modules.items():
        path = mod.__file__
        if not path or not os.path.abspath(path).startswith(STDLIB + os.sep):
            continue        # built into the interpreter, or one of the scripts
        files.add(path)
        if path.endswith(".py"):
            try:
                pyc = importlib.util.cache_from_source(path)
            except NotImplementedError:
                pyc = None
            if pyc and os.path.exists(pyc):
                files.add(pyc)
    missing = sorted(n for n in names if n.split(".")[0] not in finder.modules and
                     n not in sys.builtin_module_names)
    if missing:
        print("pymodules: named but not in the standard library: %s" % " ".join(missing),
              file=sys.stderr)
    for f in sorted(files):
        print(f)


if __name__ == "__main__":
    main(sys.argv[1:])
