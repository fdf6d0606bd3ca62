# SPDX-License-Identifier: MIT
"""
corpuslib - what the corpus generators share: the command line
(`GEN DIR` writes the samples and DIR/EXPECT.json; `GEN --prove DIR` writes
them, loads each with the real loader and checks that exactly the "payload"
samples made their DIR/NAME.marker).
"""
import json
import os
import sys


def prove(out, generate, load):
    """generate(out) the samples, then load(path, name) each one: a benign sample must
    load, and a marker must exist exactly for the payloads"""
    generate(out)
    with open(os.path.join(out, "EXPECT.json")) as f:
        expect = json.load(f)
    bad = []
    for name, kind in sorted(expect.items()):
        try:
            load(os.path.join(out, name), name)
        except Exception as e:  # a payload's loader may fail after it ran
            if kind == "benign":
                bad.append("%s: %s" % (name, e))
        ran = os.path.exists(os.path.join(out, name + ".marker"))
        if ran != (kind == "payload"):
            bad.append("%s: payload %s" % (name, "ran" if ran else "did not run"))
    if bad:
        sys.stderr.write("\n".join(bad) + "\n")
        sys.exit(1)


def main(prog, generate, load):
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "--prove":
        prove(args[1], generate, load)
    elif len(args) == 1:
        generate(args[0])
    else:
        sys.stderr.write("usage: %s [--prove] DIR\n" % prog)
        sys.exit(2)
