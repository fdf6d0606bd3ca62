#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""
gen_npy.py DIR - .npy and .npz files whose header spells an object dtype the
ways Python's literal grammar allows (numpy reads the header with
ast.literal_eval: escapes, adjacent strings, comments, repeated keys, dtype
aliases, structured and subarray dtypes), each with a pickle payload that
runs `touch DIR/NAME.marker`, and their benign twins (the same spellings on
a float array, a field *named* O). Writes DIR/EXPECT.json: name -> "object"
or "plain". --prove loads every file with np.load(allow_pickle=True) in
DIR and checks that exactly the "object" files ran their payload, so each
malicious sample is proven live (run it in a throw-away directory: the
payloads only touch their marker there).
"""
import io
import json
import os
import pickle
import struct
import sys
import zipfile

OBJECT = {
    "plain_O": "'|O'",
    "hex_escape": "'\\x7cO'",
    "octal_escape": "'\\174\\117'",
    "unicode_escape": "'\\u007cO'",
    "concat": "'|' 'O'",
    "concat_dq": "\"|\" 'O' '8'",
    "object_name": "'object'",
    "O8": "'<O8'",
    "comment": "# '<f8'\n '|O'",
    "continuation": "'|\\\nO'",
    "u_prefix": "u'|O'",
    "triple": "'''|O'''",
    "comma_fields": "'f8,O'",
    "subarray_str": "'(2,)O'",
    "subarray_tuple": "('|O', (2,))",
    "struct_field": "[('a', '<f8'), ('b', '|O')]",
    "struct_nested": "[('a', [('x', 'O')])]",
    "struct_title": "[(('title', 'b'), 'O')]",
}
PLAIN = {
    "f8": "'<f8'",
    "f8_escaped": "'\\x3cf8'",
    "field_named_O": "[('O', '<f8')]",
    "title_named_O": "[(('O', 'x'), '<f8')]",
    "concat_f8": "'<' 'f' '8'",
}


class Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, ("touch '%s'" % self.marker,))


def npy(header, body):
    h = header.encode("latin1")
    h += b" " * (64 - (10 + len(h) + 1) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + body


def build(d):
    expect = {}
    for name, descr in OBJECT.items():
        hdr = "{'descr': %s, 'fortran_order': False, 'shape': (1,), }" % descr
        if name == "subarray_tuple" or name == "subarray_str":
            hdr = "{'descr': %s, 'fortran_order': False, 'shape': (), }" % descr
        body = pickle.dumps([Payload(os.path.join(d, name + ".marker"))], protocol=2)
        with open(os.path.join(d, name + ".npy"), "wb") as f:
            f.write(npy(hdr, body))
        expect[name + ".npy"] = "object"
    # the repeated key: the last one wins
    with open(os.path.join(d, "dup_key.npy"), "wb") as f:
        f.write(npy("{'descr': '<f8', 'descr': '|O', 'fortran_order': False, 'shape': (1,), }",
                    pickle.dumps([Payload(os.path.join(d, "dup_key.marker"))], protocol=2)))
    expect["dup_key.npy"] = "object"
    with open(os.path.join(d, "key_escape.npy"), "wb") as f:
        f.write(npy("{'\\x64escr': '|O', 'fortran_order': False, 'shape': (1,), }",
                    pickle.dumps([Payload(os.path.join(d, "key_escape.marker"))], protocol=2)))
    expect["key_escape.npy"] = "object"
    for name, descr in PLAIN.items():
        hdr = "{'descr': %s, 'fortran_order': False, 'shape': (1,), }" % descr
        with open(os.path.join(d, name + ".npy"), "wb") as f:
            f.write(npy(hdr, struct.pack("<d", 1.5)))
        expect[name + ".npy"] = "plain"
    # an .npz (a deflated zip of .npy members) with an escaped header
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("arr_0.npy", npy("{'descr': '\\x7c' \"O\", 'fortran_order': False, "
                                    "'shape': (1,), }",
                                    pickle.dumps([Payload(os.path.join(d, "npz_escape.marker"))],
                                                 protocol=2)))
    with open(os.path.join(d, "npz_escape.npz"), "wb") as f:
        f.write(buf.getvalue())
    expect["npz_escape.npz"] = "object"
    with open(os.path.join(d, "EXPECT.json"), "w") as f:
        json.dump(expect, f, indent=1, sort_keys=True)
    return expect


def prove(d, expect):
    import numpy as np
    bad = []
    for name, kind in sorted(expect.items()):
        p = os.path.join(d, name)
        a = np.load(p, allow_pickle=True)
        if name.endswith(".npz"):
            a = [a[k] for k in a.files]
        marker = os.path.join(d, name.rsplit(".", 1)[0] + ".marker")
        ran = os.path.exists(marker)
        if ran != (kind == "object"):
            bad.append("%s: %s, payload %s" % (name, kind, "ran" if ran else "did not run"))
    if bad:
        sys.exit("not as expected:\n" + "\n".join(bad))


if __name__ == "__main__":
    d = sys.argv[-1]
    exp = build(d)
    if "--prove" in sys.argv:
        prove(d, exp)
