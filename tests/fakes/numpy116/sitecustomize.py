"""NumPy as the PYNQ 2.6 image has it (1.16.0), as far as the installed NumPy can pretend:
loaded at start-up (as sitecustomize) when this folder is on PYTHONPATH.

What 1.17 and later added is taken away, or refused as 1.16 refuses it:
- np.random.default_rng and the Generator API (np.random.Generator, BitGenerator, the
  bit generators, SeedSequence): gone, so using them is an AttributeError;
- packbits/unpackbits' bitorder (1.17) and unpackbits' count (1.17); the *_like
  functions' shape (1.17); the reductions' where (1.17; mean, std, var: 1.20);
  concatenate's dtype and casting (1.20); unique's equal_nan (1.24); like= (1.20): a
  TypeError naming the argument;
- sliding_window_view (1.20), bitwise_count (2.0): gone.
Methods of ndarray (a.sum(where=...)) cannot be patched; the static check of the driver's
sources covers those. Value-based casting (NumPy 1.x; NumPy 2 uses NEP 50) is not imitated.
"""

import functools

import numpy as np


def _refusing(func, names, since):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        for name in names:
            if name in kwargs:
                raise TypeError("'%s' is an invalid keyword argument for %s() (NumPy 1.16; the "
                                "argument came in %s)" % (name, func.__name__, since))
        return func(*args, **kwargs)
    return wrapper


for _name in ("default_rng", "Generator", "BitGenerator", "SeedSequence", "MT19937", "PCG64",
              "PCG64DXSM", "Philox", "SFC64"):
    if hasattr(np.random, _name):
        delattr(np.random, _name)
np.packbits = _refusing(np.packbits, ("bitorder",), "1.17")
np.unpackbits = _refusing(np.unpackbits, ("bitorder", "count"), "1.17")
for _name in ("empty_like", "zeros_like", "ones_like", "full_like"):
    setattr(np, _name, _refusing(getattr(np, _name), ("shape",), "1.17"))
for _name in ("sum", "prod", "min", "max", "amin", "amax", "nansum", "nanprod", "nanmin",
              "nanmax"):
    setattr(np, _name, _refusing(getattr(np, _name), ("where",), "1.17"))
for _name in ("mean", "std", "var", "any", "all"):
    setattr(np, _name, _refusing(getattr(np, _name), ("where",), "1.20"))
np.concatenate = _refusing(np.concatenate, ("dtype", "casting"), "1.20")
np.unique = _refusing(np.unique, ("equal_nan",), "1.24")
for _name in ("array", "asarray", "ascontiguousarray", "empty", "zeros", "ones", "full",
              "arange", "frombuffer", "fromfile"):
    setattr(np, _name, _refusing(getattr(np, _name), ("like",), "1.20"))
if hasattr(np.lib.stride_tricks, "sliding_window_view"):
    del np.lib.stride_tricks.sliding_window_view
if hasattr(np, "bitwise_count"):
    del np.bitwise_count
np.shoal_numpy116_shim = True
