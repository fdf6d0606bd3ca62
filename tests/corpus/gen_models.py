#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""
gen_models.py OUTDIR [--big] - the non-pickle model corpus of the scanner
tests (tests/e2e/t_formats.py, tests/fuzz seeds). No downloads: real files
come from Debian's python3-torch, python3-numpy, python3-sklearn and
python3-joblib; the rest (GGUF, ONNX, safetensors, Keras, TF) is written
byte by byte here, following each format's specification.

Every file's expected scan result is in EXPECT (name -> verdict, format);
t_formats.py asserts it. --big adds torch_2g_sparse.pt: a 2 GiB PyTorch
zip whose storage record is a hole (truncate), for the timing check.

Run with /usr/bin/python3 (Debian's, which has torch, numpy, sklearn).
"""

import io
import json
import os
import struct
import sys
import tarfile
import zipfile
import zlib

# a pickle that runs os.system("true") when loaded (protocol 2, by hand)
EVIL = (b"\x80\x02cposix\nsystem\nq\x00X\x04\x00\x00\x00trueq\x01\x85q\x02Rq\x03.")
# a benign protocol 2 pickle: {'a': 1}
BENIGN = b"\x80\x02}q\x00X\x01\x00\x00\x00aq\x01K\x01s."

EXPECT = {}


def out(d, name, data, verdict, fmt):
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
    EXPECT[name] = (verdict, fmt)


def zip_bytes(members, compress=zipfile.ZIP_STORED):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", compress) as z:
        for name, data in members:
            z.writestr(name, data)
    return b.getvalue()


# ---- torch -------------------------------------------------------------------

def gen_torch(d):
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    p = os.path.join(d, "torch_zip.pt")
    torch.save(model.state_dict(), p)
    EXPECT["torch_zip.pt"] = ("clean", "pytorch-zip")
    p = os.path.join(d, "torch_legacy.pt")
    torch.save(model.state_dict(), p, _use_new_zipfile_serialization=False)
    EXPECT["torch_legacy.pt"] = ("clean", "pytorch-legacy")
    p = os.path.join(d, "torchscript.pt")
    torch.jit.script(model).save(p)
    EXPECT["torchscript.pt"] = ("clean", "torchscript")


def gen_torch_tricks(d):
    # a torch-style zip whose first entry is damaged (its local header is
    # gone), then archive/data.pkl with a payload (modelscan issue 354)
    z = zip_bytes([("archive/aaa.bin", b"\x00" * 64), ("archive/data.pkl", EVIL),
                   ("archive/version", b"3\n")])
    z = bytearray(z)
    z[0:4] = b"XX\x03\x04"	# the first local header signature
    out(d, "zip_bad_entry.pt", bytes(z), "dangerous", "pytorch-zip")
    # the payload in an oddly named member; the zip deflated
    z = zip_bytes([("archive/data.pkl", BENIGN), ("archive/version", b"3\n"),
                   ("archive/extra/notes.txt", EVIL)], zipfile.ZIP_DEFLATED)
    out(d, "odd_member.pt", z, "dangerous", "pytorch-zip")
    # a central directory cut off: members found by their local headers
    z = zip_bytes([("archive/data.pkl", EVIL), ("archive/version", b"3\n")])
    cd = z.rfind(b"PK\x01\x02", 0, z.rfind(b"PK\x01\x02"))
    out(d, "zip_no_cd.pt", z[:cd], "dangerous", "pytorch-zip")
    # security review 2a: a parse error in one member (x/zz.pkl, cut short)
    # next to the payload in x/data.pkl: the error must not outrank it
    out(d, "errmask.pt", zip_bytes([("x/data.pkl", EVIL), ("x/zz.pkl", b"\x80\x02N")]),
        "dangerous", "pytorch-zip")
    # security review 2b, full size: seven deflated decoys of 8 M opcodes
    # each (56 M: more than one file's budget of 50 M) ahead of x/data.pkl
    decoy = b"\x80\x02" + b"N0" * 4000000 + b"N."
    out(d, "hide.pt", zip_bytes([("x/decoy%d.pkl" % i, decoy) for i in range(7)] +
                                [("x/data.pkl", EVIL)], zipfile.ZIP_DEFLATED),
        "dangerous", "pytorch-zip")
    # a zip in a zip
    inner = zip_bytes([("model/data.pkl", EVIL), ("model/version", b"3\n")])
    out(d, "nested.zip", zip_bytes([("inner.pt", inner)]), "dangerous", "zip")
    # tar era: members sys_info, pickle, storages, tensors
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in [("sys_info", BENIGN), ("pickle", EVIL), ("storages", b"\x80\x02K\x00."),
                           ("tensors", b"\x80\x02K\x00.")]:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
    out(d, "torch_tar.pt", b.getvalue(), "dangerous", "pytorch-tar")
    # a pickle in a plain tar
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w") as t:
        ti = tarfile.TarInfo("models/model.pkl")
        ti.size = len(EVIL)
        t.addfile(ti, io.BytesIO(EVIL))
    out(d, "wrapped.tar", b.getvalue(), "dangerous", "tar")
    # 7z: identified, never clean
    out(d, "wrapped.7z", b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 56, "suspicious", "7z")
    # TorchServe archive with a handler
    man = json.dumps({"model": {"modelName": "m", "handler": "handler.py"}}).encode()
    out(d, "model.mar", zip_bytes([("MAR-INF/MANIFEST.json", man), ("handler.py", b"import os\n")]),
        "suspicious", "torchserve-mar")


def gen_big(d):
    """a 2 GiB torch zip: a stored 2 GiB storage record that is a hole"""
    name = os.path.join(d, "torch_2g_sparse.pt")
    size = 2 << 30
    data_pkl = BENIGN
    with open(name, "wb") as f:
        offs = []

        def local(nm, sz, crc=0):
            offs.append(f.tell())
            nb = nm.encode()
            f.write(struct.pack("<IHHHHHIIIHH", 0x04034b50, 45, 0, 0, 0, 0, crc, 0xffffffff,
                                0xffffffff, len(nb), 20))
            f.write(nb)
            f.write(struct.pack("<HHQQ", 1, 16, sz, sz))
        local("archive/data.pkl", len(data_pkl), zlib.crc32(data_pkl))
        f.write(data_pkl)
        local("archive/data/0", size)
        f.seek(size, 1)
        local("archive/version", 2)
        f.write(b"3\n")
        cd = f.tell()
        for nm, sz, off in [("archive/data.pkl", len(data_pkl), offs[0]),
                            ("archive/data/0", size, offs[1]), ("archive/version", 2, offs[2])]:
            nb = nm.encode()
            f.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 45, 45, 0, 0, 0, 0, 0,
                                0xffffffff, 0xffffffff, len(nb), 28, 0, 0, 0, 0, 0xffffffff))
            f.write(nb)
            f.write(struct.pack("<HHQQQ", 1, 24, sz, sz, off))
        cde = f.tell()
        f.write(struct.pack("<IQHHIIQQQQ", 0x06064b50, 44, 45, 45, 0, 0, 3, 3, cde - cd, cd))
        f.write(struct.pack("<IIQI", 0x07064b50, 0, cde, 1))
        f.write(struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, 0xffff, 0xffff, 0xffffffff,
                            0xffffffff, 0))
    EXPECT["torch_2g_sparse.pt"] = ("clean", "pytorch-zip")


# ---- numpy, joblib -----------------------------------------------------------

class Evil:
    def __reduce__(self):
        return (os.system, ("true",))


def gen_numpy(d):
    import numpy as np

    np.save(os.path.join(d, "array.npy"), np.arange(12, dtype=np.float32).reshape(3, 4))
    EXPECT["array.npy"] = ("clean", "numpy")
    np.savez(os.path.join(d, "arrays.npz"), a=np.ones(5), b=np.arange(3))
    EXPECT["arrays.npz"] = ("clean", "numpy")
    np.savez_compressed(os.path.join(d, "arrays_z.npz"), a=np.zeros((10, 10)))
    EXPECT["arrays_z.npz"] = ("clean", "numpy")
    np.save(os.path.join(d, "objects.npy"), np.array([Evil(), 1], dtype=object), allow_pickle=True)
    EXPECT["objects.npy"] = ("dangerous", "numpy")
    np.save(os.path.join(d, "objects_benign.npy"), np.array(["a", 1], dtype=object),
            allow_pickle=True)
    EXPECT["objects_benign.npy"] = ("clean", "numpy")
    # np.save of plain Python data (a 0-d object array), and in an .npz: clean
    np.save(os.path.join(d, "objects_dict.npy"), {"labels": ["a", "b"], "n": 2, "w": 0.5},
            allow_pickle=True)
    EXPECT["objects_dict.npy"] = ("clean", "numpy")
    np.savez_compressed(os.path.join(d, "objects_z.npz"), meta=np.array([{"k": "v"}], dtype=object),
                        x=np.ones(3))
    EXPECT["objects_z.npz"] = ("clean", "numpy")


def gen_joblib(d):
    import joblib
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    rng = np.random.RandomState(0)
    x = rng.randn(40, 3)
    y = (x[:, 0] > 0).astype(int)
    est = LogisticRegression().fit(x, y)
    joblib.dump(est, os.path.join(d, "sklearn.joblib"))
    EXPECT["sklearn.joblib"] = ("clean", "joblib")
    joblib.dump(est, os.path.join(d, "sklearn_z.joblib"), compress=3)
    EXPECT["sklearn_z.joblib"] = ("clean", "joblib")
    joblib.dump({"w": np.arange(4.0), "run": Evil()}, os.path.join(d, "evil.joblib"))
    EXPECT["evil.joblib"] = ("dangerous", "joblib")


# ---- safetensors -------------------------------------------------------------

def safetensors(tensors, meta=None, raw_header=None, extra=b""):
    hdr = {}
    data = b""
    for name, dtype, shape, payload in tensors:
        hdr[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(payload)]}
        data += payload
    if meta is not None:
        hdr["__metadata__"] = meta
    h = raw_header if raw_header is not None else json.dumps(hdr, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + data + extra


def gen_safetensors(d):
    t = [("w", "F32", [2, 2], struct.pack("<4f", 1, 2, 3, 4)), ("b", "I64", [2], struct.pack("<2q", 5, 6))]
    out(d, "ok.safetensors", safetensors(t, {"format": "pt"}), "clean", "safetensors")
    bad = safetensors([("w", "F32", [3, 2], struct.pack("<4f", 1, 2, 3, 4))])
    out(d, "bad_size.safetensors", bad, "suspicious", "safetensors")
    dup = b'{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'
    out(d, "dup.safetensors", safetensors([], raw_header=dup, extra=b"\0" * 4), "suspicious",
        "safetensors")
    gap = b'{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[8,12]}}'
    out(d, "gap.safetensors", safetensors([], raw_header=gap, extra=b"\0" * 12), "suspicious",
        "safetensors")
    out(d, "huge_header.safetensors", struct.pack("<Q", 200_000_000) + b"{" + b" " * 100, "error",
        "safetensors")


# ---- GGUF --------------------------------------------------------------------

def gguf_str(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def gguf(template):
    kv = [("general.architecture", 8, gguf_str("llama")),
          ("general.alignment", 4, struct.pack("<I", 32)),
          ("tokenizer.ggml.tokens", 9, struct.pack("<IQ", 8, 3) + gguf_str("<s>") + gguf_str("a") +
           gguf_str("b")),
          ("tokenizer.chat_template", 8, gguf_str(template))]
    b = b"GGUF" + struct.pack("<IQQ", 3, 1, len(kv))
    for k, t, v in kv:
        b += gguf_str(k) + struct.pack("<I", t) + v
    b += gguf_str("w") + struct.pack("<IQQIQ", 2, 4, 4, 0, 0)
    b += b"\0" * (-len(b) % 32)
    return b + struct.pack("<16f", *range(16))


CHATML = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
          "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}"
          "{{ '<|im_start|>assistant\\n' }}{% endif %}")
SSTI = ("{% for message in messages %}{{ message['content'] }}{% endfor %}"
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}")


def gen_gguf(d):
    out(d, "ok.gguf", gguf(CHATML), "clean", "gguf")
    out(d, "ssti.gguf", gguf(SSTI), "dangerous", "gguf")


# ---- ONNX (protobuf by hand) -------------------------------------------------

def varint(n):
    b = b""
    while True:
        x = n & 0x7f
        n >>= 7
        if n:
            b += bytes([x | 0x80])
        else:
            return b + bytes([x])


def fld(num, payload):
    if isinstance(payload, int):
        return varint(num << 3) + varint(payload)
    if isinstance(payload, str):
        payload = payload.encode()
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def onnx_model(nodes, initializers=(), opsets=(("", 17),)):
    g = b"".join(fld(1, n) for n in nodes) + fld(2, "g") + b"".join(fld(5, t) for t in initializers)
    m = fld(1, 8) + fld(2, "gen_models") + fld(3, "1")
    m += fld(7, g)
    for dom, ver in opsets:
        m += fld(8, fld(1, dom) + fld(2, ver))
    return m


def onnx_node(op, domain=None):
    n = fld(1, "x") + fld(1, "y") + fld(2, "z") + fld(4, op)
    if domain is not None:
        n += fld(7, domain)
    return n


def external_tensor(location):
    ext = fld(13, fld(1, "location") + fld(2, location)) + fld(13, fld(1, "offset") + fld(2, "0"))
    return fld(1, 4) + fld(2, 1) + fld(8, "w") + ext + fld(14, 1)


def gen_onnx(d):
    out(d, "ok.onnx", onnx_model([onnx_node("Add")], [external_tensor("weights.bin")]), "clean", "onnx")
    out(d, "traversal.onnx", onnx_model([onnx_node("Add")], [external_tensor("../../../etc/passwd")]),
        "dangerous", "onnx")
    out(d, "custom_op.onnx", onnx_model([onnx_node("Backdoor", "com.evil")],
                                        opsets=(("", 17), ("com.evil", 1))), "suspicious", "onnx")


# ---- Keras, TF ---------------------------------------------------------------

def keras_zip(config):
    meta = json.dumps({"keras_version": "3.0.0", "date_saved": "2024-01-01"})
    return zip_bytes([("metadata.json", meta), ("config.json", json.dumps(config)),
                      ("model.weights.h5", b"\x89HDF\r\n\x1a\n" + b"\0" * 56)], zipfile.ZIP_DEFLATED)


def dense(name):
    return {"module": "keras.layers", "class_name": "Dense", "registered_name": None,
            "config": {"name": name, "units": 2, "activation": "relu"}}


def sequential(layers):
    return {"module": "keras", "class_name": "Sequential", "registered_name": None,
            "config": {"name": "seq", "layers": layers}}


def gen_keras(d):
    out(d, "ok.keras", keras_zip(sequential([dense("d1"), dense("d2")])), "clean", "keras")
    lam = {"module": "keras.layers", "class_name": "Lambda", "registered_name": None,
           "config": {"name": "l", "function": {"class_name": "__lambda__",
                                                "config": {"code": "4wEAAAAAAAAA", "defaults": None}}}}
    # nested inside a Functional sub-model: not a top-level layer
    inner = {"module": "keras.src.models.functional", "class_name": "Functional",
             "config": {"name": "f", "layers": [dense("d0"), lam]}}
    out(d, "lambda.keras", keras_zip(sequential([dense("d1"), inner])), "dangerous", "keras")
    foreign = dict(dense("x"), module="subprocess", class_name="Popen")
    out(d, "module.keras", keras_zip(sequential([foreign])), "dangerous", "keras")
    unsafe = {"module": "keras.config", "class_name": "function",
              "config": "enable_unsafe_deserialization", "registered_name": None}
    out(d, "unsafe.keras", keras_zip(sequential([dense("d1"), {"class_name": "Dense", "config": {"name": "z", "units": 1, "kernel_initializer": unsafe}}])),
        "dangerous", "keras")
    # legacy h5: the model_config JSON as h5py stores it (a string in the file);
    # the surrounding HDF5 structures are not built (no h5py on Debian's python here)
    cfg = json.dumps({"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "Lambda", "config": {"name": "l", "function": ["4wEAAAAAAAAA", None, None],
                                            "function_type": "lambda"}}]}}).encode()
    h5 = b"\x89HDF\r\n\x1a\n" + b"\0" * 504 + b"model_config\0" + cfg + b"\0" * 64
    out(d, "lambda.h5", h5, "dangerous", "hdf5")
    h5 = b"\x89HDF\r\n\x1a\n" + b"\0" * 504 + b"model_config\0" + json.dumps(
        sequential([dense("a")])).encode() + b"\0" * 64
    out(d, "ok.h5", h5, "clean", "hdf5")


def gen_tf(d):
    sd = os.path.join(d, "savedmodel")
    os.makedirs(sd, exist_ok=True)
    node = fld(1, "rf") + fld(2, "ReadFile") + fld(3, "filename")
    sm = fld(1, 1) + fld(2, fld(2, fld(1, node)))
    with open(os.path.join(sd, "saved_model.pb"), "wb") as f:
        f.write(sm)
    EXPECT["savedmodel/saved_model.pb"] = ("suspicious", "tf-savedmodel")
    out(d, "model.tflite", struct.pack("<I", 16) + b"TFL3" + b"\0" * 56, "clean", "tflite")


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: gen_models.py OUTDIR [--big]")
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    gen_torch(d)
    gen_torch_tricks(d)
    gen_numpy(d)
    gen_joblib(d)
    gen_safetensors(d)
    gen_gguf(d)
    gen_onnx(d)
    gen_keras(d)
    gen_tf(d)
    if "--big" in sys.argv[2:]:
        gen_big(d)
    with open(os.path.join(d, "EXPECT.json"), "w") as f:
        json.dump(EXPECT, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
