#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""
gen_state_dict.py OUT [N] - write the data.pkl of a torch-style state dict
of N (default 20000) 2-d float tensors: what torch.save puts in an archive's
data.pkl (protocol 2, OrderedDict, torch._utils._rebuild_tensor_v2, storages
as BINPERSID ('storage', torch.FloatStorage, key, 'cpu', numel)). About 32
opcodes per tensor: 20000 tensors make the 640k-opcode pickle of the
scanner benchmark.

No torch needed: small stand-in modules named torch and torch._utils give
the pickler the same globals (ml-models.md section 3). Nothing is loaded.
"""

import collections
import pickle
import sys
import types


def fake_torch():
    torch = types.ModuleType("torch")
    utils = types.ModuleType("torch._utils")

    class FloatStorage:
        def __init__(self, key, numel):
            self.key, self.numel = key, numel

    def _rebuild_tensor_v2(*args):
        raise RuntimeError("never called")

    FloatStorage.__module__ = "torch"
    FloatStorage.__qualname__ = "FloatStorage"
    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    torch.FloatStorage = FloatStorage
    torch._utils = utils
    utils._rebuild_tensor_v2 = _rebuild_tensor_v2
    sys.modules["torch"] = torch
    sys.modules["torch._utils"] = utils
    return torch, utils


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    torch, utils = fake_torch()

    class Tensor:
        def __init__(self, storage, size):
            self.storage, self.size = storage, size

        def __reduce_ex__(self, proto):
            stride = (self.size[1], 1)
            return (utils._rebuild_tensor_v2,
                    (self.storage, 0, self.size, stride, False, collections.OrderedDict()))

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, torch.FloatStorage):
                return ("storage", torch.FloatStorage, obj.key, "cpu", obj.numel)
            return None

    sd = collections.OrderedDict()
    for i in range(n):
        sd["layers.%d.weight" % i] = Tensor(torch.FloatStorage(str(i), 64), tuple([8, 8]))
    with open(out, "wb") as f:
        Pickler(f, protocol=2).dump(sd)


if __name__ == "__main__":
    main()
