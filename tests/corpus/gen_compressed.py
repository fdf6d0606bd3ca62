#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""
gen_compressed.py DIR - pickles compressed by every compressor joblib and
pickle users use (zlib, gzip, bz2, xz, lzma), under the names they get in
real life (.joblib, .pkl.gz, .sav, .bin, none), each with a payload that
runs `touch DIR/NAME.marker`; and their benign twins written by joblib.dump
itself (compress=(method, level)) from scikit-learn estimators and plain
data. Writes DIR/EXPECT.json: name -> "payload" or "benign". --prove loads
every file of DIR with joblib.load and checks that exactly the "payload"
files ran their payload, so each malicious sample is proven live (run it in
a throw-away directory: the payloads only touch their marker there).

Run with /usr/bin/python3 (Debian's: joblib, scikit-learn).
"""
import bz2
import gzip
import json
import lzma
import os
import pickle
import sys
import zlib

COMPRESSORS = {
    "zlib": lambda b: zlib.compress(b, 6),
    "gzip": lambda b: gzip.compress(b, 6),
    "bz2": lambda b: bz2.compress(b, 9),
    "xz": lambda b: lzma.compress(b, format=lzma.FORMAT_XZ, preset=6),
    "lzma": lambda b: lzma.compress(b, format=lzma.FORMAT_ALONE),
}
# the file names a compressed pickle gets: joblib's, scikit-learn tutorials', none
NAMES = ["{m}.joblib", "model_{m}.sav", "{m}.bin", "{m}_noext", "{m}.pkl.{m}"]


class Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, ("touch '%s'" % self.marker,))


def write(out, name, data, expect, kind):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
    expect[name] = kind


def generate(out):
    expect = {}
    for method, comp in sorted(COMPRESSORS.items()):
        for pattern in NAMES:
            name = pattern.format(m=method)
            marker = os.path.join(out, name + ".marker")
            raw = pickle.dumps({"weights": [1.0, 2.0], "step": Payload(marker)}, protocol=4)
            write(out, name, comp(raw), expect, "payload")
        # two streams back to back: Python's bz2 and lzma modules read both
        if method in ("bz2", "xz"):
            name = "concat_%s.sav" % method
            marker = os.path.join(out, name + ".marker")
            first = comp(pickle.dumps({"a": 1}, protocol=2))
            write(out, name, first + comp(pickle.dumps(Payload(marker), protocol=2)), expect,
                  "payload")

    import joblib
    from sklearn.datasets import load_iris
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    X, y = load_iris(return_X_y=True)
    models = {
        "forest": RandomForestClassifier(n_estimators=3, random_state=0).fit(X, y),
        "logreg": LogisticRegression(max_iter=300).fit(X, y),
        "data": {"labels": ["a", "b"], "scale": 0.5, "shape": (3, 4)},
    }
    for method in ("zlib", "gzip", "bz2", "lzma", "xz"):
        for level in (1, 3, 9):
            for what, obj in sorted(models.items()):
                name = "benign_%s_%s%d.sav" % (what, method, level)
                path = os.path.join(out, name)
                joblib.dump(obj, path, compress=(method, level))
                expect[name] = "benign"
    with open(os.path.join(out, "EXPECT.json"), "w") as f:
        json.dump(expect, f, indent=1, sort_keys=True)


def load(path, name):
    import joblib
    joblib.load(path)
    if name.startswith("concat_"):
        # the second stream is what a loop of pickle.load reads next
        opener = {"bz2": bz2.open, "xz": lzma.open}
        with opener[name[7:-4]](path) as f:
            pickle.load(f)
            pickle.load(f)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import corpuslib
    corpuslib.main("gen_compressed.py", generate, load)
