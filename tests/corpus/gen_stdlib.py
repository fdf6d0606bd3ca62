#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""
gen_stdlib.py DIR - checkpoints that pickle the standard library's plain data
holders (argparse.Namespace as fairseq and many research codebases store
their arguments, types.SimpleNamespace, uuid.UUID, pathlib paths, next to
OrderedDict, datetime, Decimal, Fraction), written by pickle itself at
protocols 2 to 5: benign. And their modules' neighbouring names used as
gadgets, each with a payload that creates DIR/NAME.marker: argparse.FileType
(opens the marker for writing), uuid._get_command_stdout (runs `touch`),
pathlib.Path.touch reached through a dotted name. Writes DIR/EXPECT.json:
name -> "payload" or "benign". --prove loads every file with pickle.load and
checks that exactly the "payload" files made their marker (run it in a
throw-away directory).
"""
import argparse
import collections
import datetime
import decimal
import fractions
import json
import os
import pathlib
import pickle
import sys
import types
import uuid


def benign_objects():
    args = argparse.Namespace(arch="transformer", lr=[0.0005], max_tokens=4096,
                              save_dir=pathlib.PosixPath("/ckpt"), fp16=True)
    return {
        "fairseq_args": {"args": args, "model": collections.OrderedDict(w=[1.0, 2.0])},
        "simplenamespace": {"cfg": types.SimpleNamespace(seed=1, name="run")},
        "uuid": {"run_id": uuid.UUID("12345678-1234-5678-1234-567812345678")},
        "paths": {"data": pathlib.PurePosixPath("/data/train"), "out": pathlib.Path("out")},
        "mixed": {"when": datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.timezone.utc),
                  "eps": decimal.Decimal("1e-8"), "ratio": fractions.Fraction(1, 3),
                  "ns": argparse.Namespace(a=1)},
    }


class FileTypeGadget:
    """argparse.FileType('w')(marker): opens (creates) the marker"""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (argparse.FileType("w"), (self.marker,))


class UuidGadget:
    """uuid._get_command_stdout('touch', marker): runs touch"""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (uuid._get_command_stdout, ("touch", self.marker))


def path_touch(marker):
    """pathlib.Path.touch through a dotted name (protocol 4's STACK_GLOBAL)"""
    def sbu(s):
        b = s.encode()
        return b"\x8c" + bytes([len(b)]) + b
    return (b"\x80\x04" + sbu("pathlib") + sbu("Path.touch") + b"\x93"
            + sbu("pathlib") + sbu("PosixPath") + b"\x93" + sbu(marker) + b"\x85R\x85R.")


def generate(out):
    expect = {}
    for name, obj in sorted(benign_objects().items()):
        for proto in (2, 3, 4, 5):
            fn = "benign_%s_p%d.pkl" % (name, proto)
            with open(os.path.join(out, fn), "wb") as f:
                pickle.dump(obj, f, protocol=proto)
            expect[fn] = "benign"
    for fn, make in (("filetype_gadget.pkl", lambda m: pickle.dumps(
                        {"args": argparse.Namespace(a=1), "x": FileTypeGadget(m)}, protocol=4)),
                     ("uuid_gadget.pkl", lambda m: pickle.dumps(
                        {"id": uuid.UUID(int=1), "x": UuidGadget(m)}, protocol=2)),
                     ("path_touch_dotted.pkl", path_touch)):
        with open(os.path.join(out, fn), "wb") as f:
            f.write(make(os.path.join(out, fn + ".marker")))
        expect[fn] = "payload"
    with open(os.path.join(out, "EXPECT.json"), "w") as f:
        json.dump(expect, f, indent=1, sort_keys=True)


def load(path, name):
    with open(path, "rb") as f:
        pickle.load(f)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import corpuslib
    corpuslib.main("gen_stdlib.py", generate, load)
