#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""
gen_pickles.py DIR - write the pickle corpus of the scanner tests into DIR.

Run with /usr/bin/python3 (Debian's: numpy, torch, sklearn, joblib). No
downloads. Nothing written here is ever loaded: the malicious files are
either pickle.dumps() of objects whose __reduce__ names a dangerous callable
(pickling does not call it) or opcode strings built by hand, one per scanner
bypass class of ml-models.md section 2. The benign files are real
pickle.dumps / torch.save / joblib.dump outputs of harmless objects.

tests/e2e/t_scan.py holds the verdict expected for every file.
"""

import io
import os
import pickle
import struct
import sys
import zipfile


class Reduce:
    """pickles as fn(*args); never unpickled here"""

    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return (self.fn, self.args)


def sbu(s):
    """SHORT_BINUNICODE"""
    b = s.encode()
    return b"\x8c" + bytes([len(b)]) + b


def frame(n):
    return b"\x95" + struct.pack("<Q", n)


def joblib_wrapper(dtype, state, shape, data, tail=b""):
    """a joblib NumpyArrayWrapper (as NumpyPickler writes it), then the inline @data"""
    return (b"\x80\x04" + sbu("joblib.numpy_pickle") + sbu("NumpyArrayWrapper") + b"\x93)\x81"
            + b"}(" + sbu("subclass") + sbu("numpy") + sbu("ndarray") + b"\x93"
            + sbu("shape") + b"K" + bytes([shape]) + b"\x85" + sbu("order") + sbu("C")
            + sbu("dtype") + sbu("numpy") + sbu("dtype") + b"\x93" + sbu(dtype)
            + b"\x89\x88\x87R" + state + b"b" + sbu("allow_mmap") + b"\x89" + b"ub"
            + data + tail + b".")


def dtype_state(elsize, flags):
    """numpy's dtype state tuple (3, '<', None, None, None, elsize, -1, flags)"""
    return (b"(K\x03" + sbu("<") + b"NNN" + b"J" + struct.pack("<i", elsize)
            + b"J\xff\xff\xff\xff" + b"J" + struct.pack("<i", flags) + b"t")


PAYLOAD = b"\x80\x02cos\nsystem\nU\x02id\x85R."

HAND = {
    # a float dtype whose state says "has objects": joblib pickle.load()s the array data
    "joblib_object_flag_payload.joblib":
        joblib_wrapper("f8", dtype_state(-1, 63), 1, PAYLOAD),
    # a 'V1000' dtype whose state makes it 8 bytes: the opcodes after 8 bytes run
    "joblib_elsize_hide.joblib":
        joblib_wrapper("V1000", dtype_state(8, 0), 1, b"\x00" * 8,
                       b"0cos\nsystem\nU\x02id\x85R"),
    # the wrapper's state dict changed through its memo copy: shape (1000,) becomes (1,)
    "joblib_dict_alias_hide.joblib":
        b"\x80\x04" + sbu("joblib.numpy_pickle") + sbu("NumpyArrayWrapper") + b"\x93)\x81"
        + b"}\x94(" + sbu("shape") + b"M\xe8\x03\x85" + sbu("order") + sbu("C")
        + sbu("dtype") + sbu("numpy") + sbu("dtype") + b"\x93" + sbu("f8") + b"\x89\x88\x87R"
        + dtype_state(-1, 0) + b"b" + sbu("allow_mmap") + b"\x89" + b"u"
        + b"h\x00" + sbu("shape") + b"K\x01\x85" + b"s0"
        + b"b" + b"\x00" * 8 + b"0cos\nsystem\nU\x02id\x85R.",
    # STACK_GLOBAL operands delivered through the memo, index overwritten by MEMOIZE
    "memo_stack_global.pkl":
        b"\x80\x04" + sbu("torch") + b"q\x01" + b"0" + sbu("os") + b"\x94" + b"0"
        + b"h\x01" + sbu("system") + b"\x93" + sbu("id") + b"\x85R.",
    # the payload runs, then the stream breaks (nullifAI)
    "broken_after_payload.pkl":
        b"\x80\x02cos\nsystem\nU\x02id\x85RX\xff\xff\x00\x00ab",
    # a 2-byte frame: a linear reader sees one bytes object, the rest is hidden
    "frame_hide.pkl":
        b"\x80\x04" + frame(2) + b"C\x12" + b"cos\nsystem\nU\x02id\x85R." + b".",
    # dotted names resolved by attribute traversal (protocol 4)
    "dotted_pathlib_os_system.pkl":
        b"\x80\x04" + sbu("pathlib") + sbu("os.system") + b"\x93" + sbu("id") + b"\x85R.",
    "dotted_builtins_getattr.pkl":
        b"\x80\x04" + sbu("builtins") + sbu("getattr") + b"\x93"
        + sbu("builtins") + sbu("__import__") + b"\x93" + sbu("os") + b"\x85R"
        + sbu("system") + b"\x86R" + sbu("id") + b"\x85R.",
    # pickle.loads of a BINBYTES payload
    "nested_pickle_loads.pkl":
        b"\x80\x04" + sbu("pickle") + sbu("loads") + b"\x93"
        + b"C\x14" + b"\x80\x02cos\nsystem\nU\x02id\x85R." + b"\x85R.",
    # STRING / SHORT_BINSTRING operands of STACK_GLOBAL (GHSA-9gvj-pp9x-gcfr)
    "string_ops_stack_global.pkl":
        b"\x80\x04S'os'\nU\x06system\x93U\x02id\x85R.",
    # OBJ whose result is discarded by POP (GHSA-mxhj-88fx-4pcv)
    "obj_pop.pkl": b"\x80\x02(cos\nsystem\nU\x02ido0N.",
    # a global from the copyreg extension registry
    "ext1.pkl": b"\x80\x02\x82\x2a)R.",
    # GET of an index never PUT
    "memo_miss.pkl": b"\x80\x04h\x00" + sbu("system") + b"\x93.",
    # protocol 0: no header at all (CVE-2025-10155)
    "proto0_no_header.pkl": b"cos\nsystem\n(S'id'\ntR.",
    # deeper than the mark-stack limit (100,000): incomplete, never clean
    "limit_marks.pkl": b"\x80\x02" + b"(" * 100001 + b"N.",
    # not a pickle after its header: nothing to report but an error
    "garbage.pkl": b"\x80\x02\xff\xfe",
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)

    def put(name, data):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)

    for name, data in HAND.items():
        put(name, data)

    # real pickle.dumps of objects whose reduce names a dangerous callable
    import runpy
    import pkgutil
    import builtins
    for proto in range(0, 6):
        put("reduce_os_system_p%d.pkl" % proto, pickle.dumps(Reduce(os.system, ("id",)), proto))
    put("reduce_exec.pkl", pickle.dumps(Reduce(builtins.exec, ("print(1)",)), 4))
    put("reduce_runpy.pkl", pickle.dumps(Reduce(runpy.run_path, ("/tmp/x.py",)), 2))
    put("reduce_pkgutil_resolve_name.pkl",
        pickle.dumps(Reduce(pkgutil.resolve_name, ("os:system",)), 4))

    # benign: plain data, every protocol
    data = {"a": [1, 2.5, "x", b"yy", (1, 2)], "s": {1, 2}, "fs": frozenset([3]),
            "ba": bytearray(b"q"), "c": 1 + 2j, "n": None, "t": True, "big": 1 << 70,
            "r": range(3), "sl": slice(1, 2)}
    for proto in range(2, 6):
        put("benign_data_p%d.pkl" % proto, pickle.dumps(data, proto))

    import numpy as np
    arr = np.arange(12, dtype=np.float32).reshape(3, 4)
    for proto in range(2, 6):
        put("benign_numpy_p%d.pkl" % proto,
            pickle.dumps({"w": arr, "i": np.int64(3), "d": np.dtype("U5")}, proto))

    import torch
    import torch.nn as nn
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 2))
    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        pkl = [n for n in z.namelist() if n.endswith("/data.pkl")][0]
        put("benign_torch_data.pkl", z.read(pkl))
    buf = io.BytesIO()
    torch.save(model.state_dict(), buf, _use_new_zipfile_serialization=False)
    put("benign_torch_legacy.pt", buf.getvalue())
    buf = io.BytesIO()
    torch.jit.save(torch.jit.script(model), buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        pkl = [n for n in z.namelist() if n.endswith("/data.pkl")][0]
        put("benign_torchscript_data.pkl", z.read(pkl))

    import joblib
    from sklearn.datasets import load_iris
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    X, y = load_iris(return_X_y=True)
    pipe = Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression(max_iter=300))])
    pipe.fit(X, y)
    joblib.dump(pipe, os.path.join(out, "benign_sklearn_pipeline.joblib"))
    forest = RandomForestClassifier(n_estimators=3, random_state=0).fit(X, y)
    joblib.dump(forest, os.path.join(out, "benign_sklearn_forest.joblib"))


if __name__ == "__main__":
    main()
