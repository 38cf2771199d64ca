"""Datatypes and element packing for the accelerator driver, with numpy only.

FINN's driver takes these from FINN itself (finn-base's or qonnx's DataType and
finn.util.data_packing); this module is shoal's own stand-in with the same names, arguments
and results, so the driver runs wherever Python 3 and numpy are.

Bit layout (what the hardware expects): a vector of n elements of b bits each forms one
word of ceil(n*b/8) bytes. Element i occupies bits [i*b, (i+1)*b) when reverse_inner is
set (element 0 in the least significant bits, as on the AXI streams), else element
n-1-i does; the bits above n*b are zero. The word is written most significant byte first,
or least significant byte first when reverse_endian is set. The driver uses both flags:
every beat becomes its TDATA word as little-endian bytes (UINT4 [1, 7, 2, 5] -> 71 52).

Runs with Python 3.6 or later and NumPy 1.16 or later.
"""

import functools
import re

import numpy as np

__all__ = [
    "DataType",
    "finnpy_to_packed_bytearray",
    "packed_bytearray_to_finnpy",
    "gen_finn_dt_tensor",
    "random_tensor",
]


class _DataTypeLookup(type):
    # Both spellings of FINN's drivers resolve here: DataType['UINT8'] (qonnx, FINN v0.7+)
    # and DataType.UINT8 (finn-base, FINN v0.6).
    def __getitem__(cls, name):
        return cls(name)

    def __getattr__(cls, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return cls(name)
        except KeyError:
            raise AttributeError(name) from None


class DataType(metaclass=_DataTypeLookup):
    """One of FINN's datatypes: BINARY, BIPOLAR, TERNARY, UINTn, INTn (n <= 64), FLOAT32."""

    __slots__ = ("_name", "_bits", "_min", "_max")

    def __init__(self, name):
        if isinstance(name, DataType):
            name = name.name
        if not isinstance(name, str):
            raise KeyError(name)
        match = re.fullmatch(r"(U?INT)([0-9]+)", name)
        if name == "BINARY" or name == "UINT1":
            # qonnx treats UINT1 and BINARY as the same type; keep one canonical name.
            self._name, self._bits, self._min, self._max = "BINARY", 1, 0, 1
        elif name == "BIPOLAR":
            self._name, self._bits, self._min, self._max = name, 1, -1, 1
        elif name == "TERNARY":
            self._name, self._bits, self._min, self._max = name, 2, -1, 1
        elif name == "FLOAT32":
            self._name, self._bits = name, 32
            self._min = float(np.finfo(np.float32).min)
            self._max = float(np.finfo(np.float32).max)
        elif match and 1 <= int(match.group(2)) <= 64:
            bits = int(match.group(2))
            self._name, self._bits = name, bits
            if match.group(1) == "UINT":
                self._min, self._max = 0, (1 << bits) - 1
            else:
                self._min, self._max = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
        else:
            raise KeyError("unknown datatype %r" % (name,))

    @property
    def name(self):
        return self._name

    def get_canonical_name(self):
        return self._name

    def bitwidth(self):
        return self._bits

    def min(self):
        return self._min

    def max(self):
        return self._max

    def signed(self):
        return self._min < 0

    def is_integer(self):
        return self._name != "FLOAT32"

    def is_fixed_point(self):
        return False

    def get_num_possible_values(self):
        if not self.is_integer():
            raise ValueError("FLOAT32 has no finite set of values")
        return 2 if self._name == "BIPOLAR" else self._max - self._min + 1

    def allowed(self, value):
        """Whether every value (a number or an array) is one of this type's values."""
        return _first_bad_value(_numeric(value), self) is None

    def __eq__(self, other):
        return isinstance(other, DataType) and other._name == self._name

    def __hash__(self):
        return hash(self._name)

    def __repr__(self):
        return "DataType['%s']" % self._name

    __str__ = __repr__


def _as_datatype(dtype):
    return dtype if isinstance(dtype, DataType) else DataType(dtype)



# --- packing -------------------------------------------------------------------------------
# Written for NumPy 1.16 (the PYNQ 2.6 image) and later: no bitorder argument, no
# np.random.Generator. Every width takes a vectorised path: the bytes themselves for 8, 16,
# 32 and 64 bits (one copy when the input has the field's size), packbits for 1 bit, shifts
# within bytes for 2 and 4 bits, and for the others one word per beat of up to 64 bits, or
# 64-bit words built by shift and add, at most ceil(64 / bits) + 1 fields meeting in one.
# Integer inputs are never copied to float64; large inputs are converted a step of
# _STEP_ELEMENTS at a time, so that the temporaries stay small next to the packed buffer.

_STEP_ELEMENTS = 1 << 16

# The byte with its bits in reverse order: packbits and unpackbits put the first element in
# the most significant bit, the streams in the least significant one.
_REVERSED_BITS = np.array([int("{:08b}".format(b)[::-1], 2) for b in range(256)],
                          dtype=np.uint8)

_UNSIGNED = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}
_SIGNED = {1: np.int8, 2: np.int16, 4: np.int32, 8: np.int64}
_WORD = np.dtype("<u8")


def _field_bytes(bits):
    """The size of the smallest unsigned numpy type holding a field of this many bits."""
    return 1 if bits <= 8 else 2 if bits <= 16 else 4 if bits <= 32 else 8


def _numeric(value):
    a = np.asarray(value)
    # Anything else (objects, strings) as float64: numbers pass, the rest fails there.
    return a if a.dtype.kind in "biuf" else a.astype(np.float64)


def _needs_check(a, dtype):
    """Whether some element of a may lie outside dtype (checked element by element then)."""
    if dtype.name == "FLOAT32" or a.size == 0:
        return False
    if a.dtype.kind in "biu" and dtype.name != "BIPOLAR":
        if a.dtype.kind == "b":
            return not (dtype.min() <= 0 and dtype.max() >= 1)
        info = np.iinfo(a.dtype)
        if dtype.min() <= info.min and info.max <= dtype.max():
            return False
        # Two reductions, no copy: only an input with a bad value goes element by element.
        return not (dtype.min() <= int(a.min()) and int(a.max()) <= dtype.max())
    return True


def _first_bad_in(c, dtype):
    """The first element of the array c (not empty) that is not a value of dtype, or None."""
    if dtype.name == "BIPOLAR":
        if (c.all() and c.max() == 1) if c.dtype.kind in "bu" else (np.abs(c) == 1).all():
            return None
    elif c.dtype.kind in "iuf":
        # Two reductions and, for floats, one test of integrality (NaN fails the range
        # test); the element-by-element search below only finds the culprit.
        in_range = dtype.min() <= c.min() and c.max() <= dtype.max()
        if in_range and (c.dtype.kind != "f" or (np.floor(c) == c).all()):
            return None
    if dtype.name == "BIPOLAR":
        bad = (c != 1) if c.dtype.kind in "bu" else (c != 1) & (c != -1)
    elif c.dtype.kind == "f":
        # NaN fails the last test.
        bad = (c < dtype.min()) | (c > dtype.max()) | (np.floor(c) != c)
    elif c.dtype.kind == "b":
        bad = c > dtype.max() if dtype.max() < 1 else c < dtype.min()
    else:
        bad = (c < dtype.min()) | (c > dtype.max())
    return c[bad][0] if bad.any() else None


def _first_bad_value(a, dtype):
    if not _needs_check(a, dtype):
        return None
    flat = a.reshape(-1)
    for start in range(0, flat.size, _STEP_ELEMENTS):
        bad = _first_bad_in(flat[start:start + _STEP_ELEMENTS], dtype)
        if bad is not None:
            return bad
    return None


def _fields(c, dtype):
    """Values (checked) as the unsigned integers of their fields, in the smallest type."""
    bits = dtype.bitwidth()
    if dtype.name == "BIPOLAR":
        return (c > 0).view(np.uint8)
    if dtype.name == "FLOAT32":
        return c.astype(np.float32).view(np.uint32)
    utype = _UNSIGNED[_field_bytes(bits)]
    if c.dtype.kind == "b":
        c = c.view(np.uint8)
    elif c.dtype.kind == "f":
        # Exact: the values are integers in the container's range.
        c = c.astype((_SIGNED if dtype.signed() else _UNSIGNED)[_field_bytes(bits)])
    if c.dtype.itemsize == np.dtype(utype).itemsize:
        # The same bits, nothing to copy (two's complement for signed values).
        f = c.view(utype)
    elif dtype.signed():
        f = c.astype(_SIGNED[_field_bytes(bits)]).view(utype)
    else:
        return c.astype(utype)
    if dtype.signed() and bits < 8 * f.itemsize:
        f = f & utype((1 << bits) - 1)  # not in place: f may be the caller's array
    return f


class _WordLayout:
    """Where m elements of `bits` bits each lie in 64-bit words, from bit 0 up (made once per
    width and length: _word_layout)."""

    def __init__(self, bits, m):
        offsets = np.arange(m, dtype=np.int64) * bits
        self.m = m
        self.nwords = -(-m * bits // 64)
        self.word = offsets // 64
        self.shift = (offsets % 64).astype(np.uint64)
        # Elements whose high bits spill into the next word.
        self.straddle = np.nonzero(offsets % 64 + bits > 64)[0]
        self.spill_shift = np.uint64(64) - self.shift[self.straddle]
        self.next_word = self.word[self.straddle] + 1
        # The words where elements start, and the first element of each.
        self.start_words, self.first = np.unique(self.word, return_index=True)


@functools.lru_cache(maxsize=64)
def _word_layout(bits, m):
    return _WordLayout(bits, m)


def _word_groups(n, bits):
    """(elements per group, groups): vectors longer than the period at which the layout
    starts again on a word boundary are cut into whole periods, so that at most
    ceil(64 / bits) + 1 elements meet in a word and the layout has at most 64 entries."""
    period = 64 // _gcd(bits, 64)
    if n <= period:
        return n, 1
    return period, -(-n // period)


def _gcd(a, b):
    while b:
        a, b = b, a % b
    return a


def _pack_fields(f, bits, nbytes):
    """Fields (k vectors of n) -> each vector's word as nbytes little-endian bytes."""
    k, n = f.shape
    if bits % 8 == 0:
        # Whole bytes: the fields' own little-endian bytes (nothing copied when they are),
        # the low bits // 8 of each for 24, 40, 48 and 56 bits.
        le = np.ascontiguousarray(f.astype(f.dtype.newbyteorder("<"), copy=False))
        return le.view(np.uint8).reshape(k, n, f.itemsize)[:, :, :bits // 8].reshape(k, nbytes)
    if bits == 1:
        return _REVERSED_BITS[np.packbits(f, axis=-1)]
    if 8 % bits == 0:
        per = 8 // bits
        if n % per:
            padded = np.zeros((k, nbytes * per), dtype=np.uint8)
            padded[:, :n] = f
            f = padded
        g = f.reshape(k, nbytes, per)
        out = g[:, :, 0].copy()
        for j in range(1, per):
            out |= g[:, :, j] << np.uint8(j * bits)
        return out
    m, groups = _word_groups(n, bits)
    layout = _word_layout(bits, m)
    if n * bits <= 64:
        # One word per vector, in the smallest type that holds it.
        wtype = _UNSIGNED[_field_bytes(n * bits)]
        shifted = f.astype(wtype, copy=False) << layout.shift.astype(wtype)
        word = np.add.reduce(shifted, axis=1, dtype=wtype)
        le = np.ascontiguousarray(word.astype(np.dtype(wtype).newbyteorder("<"), copy=False))
        return le.view(np.uint8).reshape(k, -1)[:, :nbytes]
    if m * groups != n:
        padded = np.zeros((k, m * groups), dtype=f.dtype)
        padded[:, :n] = f
        f = padded
    f = f.reshape(k * groups, m).astype(np.uint64, copy=False)
    words = np.zeros((k * groups, layout.nwords), dtype=_WORD)
    # The fields do not overlap, so adding them is or-ing them; high bits that do not fit
    # a word fall off here and are added to the next word below.
    words[:, layout.start_words] = np.add.reduceat(f << layout.shift, layout.first, axis=1)
    if layout.straddle.size:
        words[:, layout.next_word] |= f[:, layout.straddle] >> layout.spill_shift
    return words.view(np.uint8).reshape(k, -1)[:, :nbytes]


def _unpack_fields(p, bits, n):
    """The inverse of _pack_fields: k words of little-endian bytes -> k vectors of n fields."""
    k, nbytes = p.shape
    if bits % 8 == 0:
        size = _field_bytes(bits)
        if size * 8 != bits:
            whole = np.zeros((k, n, size), dtype=np.uint8)
            whole[:, :, :bits // 8] = p.reshape(k, n, bits // 8)
            p = whole.reshape(k, n * size)
        le = np.ascontiguousarray(p).view(np.dtype(_UNSIGNED[size]).newbyteorder("<"))
        return le.astype(_UNSIGNED[size], copy=False)
    if bits == 1:
        return np.unpackbits(_REVERSED_BITS[p], axis=-1)[:, :n]
    if 8 % bits == 0:
        per = 8 // bits
        mask = np.uint8((1 << bits) - 1)
        out = np.empty((k, nbytes, per), dtype=np.uint8)
        for j in range(per):
            out[:, :, j] = (p >> np.uint8(j * bits)) & mask
        return out.reshape(k, nbytes * per)[:, :n]
    m, groups = _word_groups(n, bits)
    layout = _word_layout(bits, m)
    ftype = _UNSIGNED[_field_bytes(bits)]
    if n * bits <= 64:
        wtype = _UNSIGNED[_field_bytes(n * bits)]
        size = np.dtype(wtype).itemsize
        if nbytes != size:
            padded = np.zeros((k, size), dtype=np.uint8)
            padded[:, :nbytes] = p
            p = padded
        le = np.ascontiguousarray(p).view(np.dtype(wtype).newbyteorder("<"))
        f = (le.astype(wtype, copy=False) >> layout.shift.astype(wtype)) & wtype((1 << bits) - 1)
        return f.astype(ftype, copy=False)
    padded = np.zeros((k, groups * layout.nwords * 8), dtype=np.uint8)
    padded[:, :nbytes] = p
    words = padded.view(_WORD).reshape(k * groups, layout.nwords)
    f = words[:, layout.word] >> layout.shift
    if layout.straddle.size:
        f[:, layout.straddle] |= words[:, layout.next_word] << layout.spill_shift
    f &= np.uint64((1 << bits) - 1)
    # In the smallest container: what follows (sign extension, float32) is quicker there.
    return f.reshape(k, m * groups)[:, :n].astype(ftype)


def _values(f, dtype):
    """Fields -> the values they encode, in a type that float32 takes by assignment."""
    bits = dtype.bitwidth()
    if dtype.name == "FLOAT32":
        return np.ascontiguousarray(f, dtype=np.uint32).view(np.float32)
    if dtype.name == "BIPOLAR":
        return f.astype(np.int8) * np.int8(2) - np.int8(1)
    if not dtype.signed():
        return f
    if bits in (8, 16, 32, 64):
        return f.view(_SIGNED[bits // 8])
    # Sign extension: the field's top bit moved to the container's, then shifted back
    # arithmetically.
    size = _field_bytes(bits)
    f = f.astype(_UNSIGNED[size], copy=False)
    up = 8 * size - bits
    return (f << _UNSIGNED[size](up)).view(_SIGNED[size]) >> _SIGNED[size](up)


def _steps(rows, n, cheap):
    """Row ranges of about _STEP_ELEMENTS elements; one range when a step copies nothing."""
    if cheap:
        return [(0, rows)]
    step = max(1, _STEP_ELEMENTS // max(n, 1))
    return [(s, min(s + step, rows)) for s in range(0, rows, step)]


def finnpy_to_packed_bytearray(ndarray, dtype, reverse_inner=False, reverse_endian=False,
                               fast_mode=False):
    """Packs the innermost dimension of ndarray into bytes (uint8 array).

    The result has the shape ndarray.shape[:-1] + (ceil(n * bits / 8),); the flags are
    described in the module docstring. Values outside the datatype are a ValueError. Every
    width is vectorised (see above); fast_mode is accepted for FINN compatibility.
    """
    dtype = _as_datatype(dtype)
    a = _numeric(ndarray)
    if a.ndim == 0:
        raise ValueError("cannot pack a scalar: the innermost dimension forms a word")
    bits = dtype.bitwidth()
    n = a.shape[-1]
    nbytes = (n * bits + 7) // 8
    out = np.empty(a.shape[:-1] + (nbytes,), dtype=np.uint8)
    if out.size == 0:
        return out
    rows = a.reshape(-1, n)
    dest = out.reshape(-1, nbytes)
    if not reverse_endian:
        # Each word's most significant byte first: the bytes written in reverse order.
        dest = dest[:, ::-1]
    check = _needs_check(a, dtype)
    # Integers of exactly the field's size are their own fields: one copy, no temporaries.
    cheap = (not check and bits % 8 == 0 and a.dtype.kind in "iu"
             and a.dtype.itemsize * 8 == bits)
    for start, stop in _steps(rows.shape[0], n, cheap):
        c = rows[start:stop]
        if check:
            bad = _first_bad_in(c, dtype)
            if bad is not None:
                raise ValueError("%s is not a value of datatype %s" % (bad, dtype.name))
        f = _fields(c, dtype)
        if not reverse_inner:
            f = f[:, ::-1]
        dest[start:stop] = _pack_fields(f, bits, nbytes)
    return out


def packed_bytearray_to_finnpy(packed_bytearray, dtype, output_shape=None, reverse_inner=False,
                               reverse_endian=False, fast_mode=False):
    """Unpacks bytes made by finnpy_to_packed_bytearray (with the same flags) into values.

    output_shape is the shape of the result: packed_bytearray.shape[:-1] + (n,); without it
    n is as many elements as the bytes hold, which needs the bits to divide evenly. Padding
    bits above the last element are ignored. Returns float32, as FINN does.
    """
    dtype = _as_datatype(dtype)
    packed = np.asarray(packed_bytearray, dtype=np.uint8)
    if packed.ndim == 0:
        raise ValueError("cannot unpack a scalar: the innermost dimension holds a word")
    bits = dtype.bitwidth()
    nbytes = packed.shape[-1]
    if output_shape is None:
        if (nbytes * 8) % bits:
            raise ValueError("%d bytes do not hold a whole number of %s elements: give "
                             "output_shape" % (nbytes, dtype.name))
        output_shape = packed.shape[:-1] + (nbytes * 8 // bits,)
    output_shape = tuple(output_shape)
    n = output_shape[-1]
    needed = (n * bits + 7) // 8
    if tuple(packed.shape[:-1]) != output_shape[:-1] or needed > nbytes:
        raise ValueError("packed shape %s does not hold %s elements of %s" % (
            tuple(packed.shape), output_shape, dtype.name))
    out = np.empty(output_shape, dtype=np.float32)
    if out.size == 0:
        return out
    rows = packed.reshape(-1, nbytes)
    if not reverse_endian:
        rows = rows[:, ::-1]
    # Bytes above the last element's are padding.
    rows = rows[:, :needed]
    dest = out.reshape(-1, n)
    cheap = bits in (8, 16, 32, 64) and dtype.name != "FLOAT32"
    for start, stop in _steps(rows.shape[0], n, cheap):
        f = _unpack_fields(rows[start:stop], bits, n)
        if not reverse_inner:
            f = f[:, ::-1]
        dest[start:stop] = _values(f, dtype)
    return out


def _random_values(dtype, shape, rng):
    bits = dtype.bitwidth()
    if dtype.name == "BIPOLAR":
        return rng.randint(0, 2, size=shape, dtype=np.int8) * np.int8(2) - np.int8(1)
    if dtype.name == "FLOAT32":
        return rng.standard_normal(size=shape).astype(np.float32)
    container = (_SIGNED if dtype.signed() else _UNSIGNED)[_field_bytes(bits)]
    # randint's upper bound is exclusive and may be one above the container's maximum.
    return rng.randint(dtype.min(), dtype.max() + 1, size=shape, dtype=container)


def _generator(seed):
    # Without a seed, numpy's global generator, so that np.random.seed() repeats a run.
    return np.random if seed is None else np.random.RandomState(seed)


def random_tensor(finn_dt, tensor_shape, seed=None):
    """Random values of a datatype in the smallest numpy integer type that holds them
    (float32 for FLOAT32): inputs as a user would give them, which pack without a copy to
    float."""
    return _random_values(_as_datatype(finn_dt), tuple(tensor_shape), _generator(seed))


def gen_finn_dt_tensor(finn_dt, tensor_shape, seed=None):
    """A random float32 tensor of the given datatype's values (FINN's container type)."""
    return random_tensor(finn_dt, tensor_shape, seed).astype(np.float32)
