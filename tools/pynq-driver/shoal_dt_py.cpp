// The generated driver's shoal_dt.py, written as it is: FINN's DataType and packing functions.
// The Python must run with python3 and numpy alone (PYNQ: on the board only).
#include "python_sources.hpp"

namespace shoal::pynq_driver {

const std::string_view kShoalDtPy =
    R"py("""Datatypes and element packing for the accelerator driver, with numpy only.

FINN's driver takes these from FINN itself (finn-base's or qonnx's DataType and
finn.util.data_packing); this module is shoal's own stand-in with the same names, arguments
and results, so the driver runs wherever Python 3 and numpy are.

Bit layout (what the hardware expects): a vector of n elements of b bits each forms one
word of ceil(n*b/8) bytes. Element i occupies bits [i*b, (i+1)*b) when reverse_inner is
set (element 0 in the least significant bits, as on the AXI streams), else element
n-1-i does; the bits above n*b are zero. The word is written most significant byte first,
or least significant byte first when reverse_endian is set. The driver uses both flags:
every beat becomes its TDATA word as little-endian bytes (UINT4 [1, 7, 2, 5] -> 71 52).
"""

import re

import numpy as np

__all__ = [
    "DataType",
    "finnpy_to_packed_bytearray",
    "packed_bytearray_to_finnpy",
    "gen_finn_dt_tensor",
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
        a = np.asarray(value, dtype=np.float64)
        if self._name == "FLOAT32":
            return True
        if self._name == "BIPOLAR":
            return bool(np.all((a == -1) | (a == 1)))
        return bool(np.all((a == np.round(a)) & (a >= self._min) & (a <= self._max)))

    def __eq__(self, other):
        return isinstance(other, DataType) and other._name == self._name

    def __hash__(self):
        return hash(self._name)

    def __repr__(self):
        return "DataType['%s']" % self._name

    __str__ = __repr__


def _as_datatype(dtype):
    return dtype if isinstance(dtype, DataType) else DataType(dtype)


def _field_bits(values, dtype):
    """Each element as the unsigned integer of its b-bit field (uint64)."""
    if dtype.name == "FLOAT32":
        return np.asarray(values, dtype=np.float32).view(np.uint32).astype(np.uint64)
    a = np.asarray(values, dtype=np.float64)
    if dtype.name == "BIPOLAR":
        bad = (a != -1) & (a != 1)
    else:
        bad = (a != np.round(a)) | (a < dtype.min()) | (a > dtype.max())
    if np.any(bad):
        raise ValueError("%s is not a value of datatype %s" % (a[bad].flat[0], dtype.name))
    if dtype.name == "BIPOLAR":
        return (a > 0).astype(np.uint64)
    if dtype.signed():
        # Two's complement: the int64 bit pattern, cut to the field width below.
        fields = a.astype(np.int64).view(np.uint64)
    else:
        fields = a.astype(np.uint64)
    bits = dtype.bitwidth()
    mask = np.uint64((1 << bits) - 1)
    return fields & mask


def _decode_fields(fields, dtype):
    """The inverse of _field_bits: values as float32, FINN's container type."""
    bits = dtype.bitwidth()
    if dtype.name == "FLOAT32":
        return fields.astype(np.uint32).view(np.float32)
    if dtype.name == "BIPOLAR":
        return (2.0 * fields - 1.0).astype(np.float32)
    if dtype.signed():
        high = np.uint64(((1 << 64) - 1) ^ ((1 << bits) - 1))
        negative = ((fields >> np.uint64(bits - 1)) & np.uint64(1)).astype(bool)
        return np.where(negative, fields | high, fields).view(np.int64).astype(np.float32)
    return fields.astype(np.float32)


def finnpy_to_packed_bytearray(ndarray, dtype, reverse_inner=False, reverse_endian=False,
                               fast_mode=False):
    """Packs the innermost dimension of ndarray into bytes (uint8 array).

    The result has the shape ndarray.shape[:-1] + (ceil(n * bits / 8),); the flags are
    described in the module docstring. fast_mode is accepted for FINN compatibility: the
    one vectorised path here is as fast as FINN's shortcuts.
    """
    dtype = _as_datatype(dtype)
    a = np.asarray(ndarray)
    if a.ndim == 0:
        raise ValueError("cannot pack a scalar: the innermost dimension forms a word")
    bits = dtype.bitwidth()
    n = a.shape[-1]
    nbytes = (n * bits + 7) // 8
    fields = _field_bits(a, dtype)
    if not reverse_inner:
        fields = np.flip(fields, axis=-1)
    shifts = np.arange(bits, dtype=np.uint64)
    # One uint8 per bit, least significant first, element by element.
    bit_array = ((fields[..., None] >> shifts) & np.uint64(1)).astype(np.uint8)
    bit_array = bit_array.reshape(a.shape[:-1] + (n * bits,))
    pad = nbytes * 8 - n * bits
    if pad:
        bit_array = np.concatenate(
            [bit_array, np.zeros(a.shape[:-1] + (pad,), dtype=np.uint8)], axis=-1)
    packed = np.packbits(bit_array, axis=-1, bitorder="little")
    if not reverse_endian:
        packed = np.flip(packed, axis=-1)
    return np.ascontiguousarray(packed)


def packed_bytearray_to_finnpy(packed_bytearray, dtype, output_shape=None, reverse_inner=False,
                               reverse_endian=False, fast_mode=False):
    """Unpacks bytes made by finnpy_to_packed_bytearray (with the same flags) into values.

    output_shape is the shape of the result: packed_bytearray.shape[:-1] + (n,); without it
    n is as many elements as the bytes hold, which needs the bits to divide evenly. Padding
    bits above the last element are ignored. Returns float32, as FINN does.
    """
    dtype = _as_datatype(dtype)
    packed = np.asarray(packed_bytearray, dtype=np.uint8)
    bits = dtype.bitwidth()
    nbytes = packed.shape[-1]
    if output_shape is None:
        if (nbytes * 8) % bits:
            raise ValueError("%d bytes do not hold a whole number of %s elements: give "
                             "output_shape" % (nbytes, dtype.name))
        output_shape = packed.shape[:-1] + (nbytes * 8 // bits,)
    output_shape = tuple(output_shape)
    n = output_shape[-1]
    if tuple(packed.shape[:-1]) != output_shape[:-1] or (n * bits + 7) // 8 > nbytes:
        raise ValueError("packed shape %s does not hold %s elements of %s" % (
            tuple(packed.shape), output_shape, dtype.name))
    if not reverse_endian:
        packed = np.flip(packed, axis=-1)
    bit_array = np.unpackbits(packed, axis=-1, bitorder="little")[..., :n * bits]
    bit_array = bit_array.reshape(output_shape + (bits,)).astype(np.uint64)
    shifts = np.arange(bits, dtype=np.uint64)
    fields = np.bitwise_or.reduce(bit_array << shifts, axis=-1)
    if not reverse_inner:
        fields = np.flip(fields, axis=-1)
    return _decode_fields(np.asarray(fields, dtype=np.uint64), dtype)


def gen_finn_dt_tensor(finn_dt, tensor_shape, seed=None):
    """A random float32 tensor of the given datatype's values (for throughput tests)."""
    dtype = _as_datatype(finn_dt)
    rng = np.random.default_rng(seed)
    if dtype.name == "BIPOLAR":
        values = 2 * rng.integers(0, 2, size=tensor_shape) - 1
    elif dtype.name == "FLOAT32":
        values = rng.standard_normal(size=tensor_shape)
    else:
        container = np.int64 if dtype.signed() else np.uint64
        values = rng.integers(dtype.min(), dtype.max(), size=tensor_shape, endpoint=True,
                              dtype=container)
    return np.asarray(values, dtype=np.float32)
)py";

}  // namespace shoal::pynq_driver
