"""The accelerator's host side: data layout (any machine) and the PYNQ overlay (the board).

AcceleratorIO turns samples into the byte buffers the accelerator's DMAs read and back;
it needs only numpy, so data can be prepared and checked anywhere. FINNExampleOverlay adds
the board: it loads the bitfile with PYNQ, moves the buffers and starts the DMAs. PYNQ is
imported only when an overlay is created.

Runs with Python 3.6 or later, NumPy 1.16 or later (the PYNQ 2.6 image) and PYNQ 2.5 to 3.1.

Buffer layout: a frame's values in the first layer's folded shape, one beat per innermost
vector, each beat the stream's TDATA word as little-endian bytes (element 0 in the low bits
of byte 0), beats in row-major order, frames back to back.
"""

import os
import time

import numpy as np

from shoal_dt import finnpy_to_packed_bytearray, packed_bytearray_to_finnpy, random_tensor

# The register map of the shell's IODMAs (Vitis HLS s_axi_control).
_REG_CONTROL = 0x00
_REG_ADDR_LO = 0x10
_REG_ADDR_HI = 0x14
_REG_NUM_REPS = 0x1C
_CTRL_START = 0x1
_CTRL_DONE = 0x2
_CTRL_IDLE = 0x4

_PLATFORMS = ("zynq-iodma", "alveo")


def _per_stream(value):
    # FINN v0.6 drivers hold bare values for their single stream, later ones lists.
    return list(value) if isinstance(value, list) else [value]


def _with_batch(shape, batch_size):
    return (batch_size,) + tuple(shape)[1:]


class AcceleratorIO:
    """Shapes and data layout of the accelerator's streams, from driver.py's io_shape_dict."""

    def __init__(self, io_shape_dict, batch_size=1):
        self._io_shape_dict = io_shape_dict
        self._idt = _per_stream(io_shape_dict["idt"])
        self._odt = _per_stream(io_shape_dict["odt"])
        self._ishape = {key: _per_stream(io_shape_dict[key]) for key in (
            "ishape_normal", "ishape_folded", "ishape_packed")}
        self._oshape = {key: _per_stream(io_shape_dict[key]) for key in (
            "oshape_normal", "oshape_folded", "oshape_packed")}
        self.num_inputs = io_shape_dict.get("num_inputs", len(self._idt))
        self.num_outputs = io_shape_dict.get("num_outputs", len(self._odt))
        self._batch_size = None
        self.batch_size = batch_size

    # --- batch size: the first dimension of every shape --------------------------------------
    @property
    def batch_size(self):
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value):
        value = int(value)
        if value < 1:
            raise ValueError("the batch size must be at least 1, not %d" % value)
        self._batch_size = value
        self._batch_size_changed()

    def _batch_size_changed(self):
        # The overlay allocates its device buffers here.
        pass

    # --- shapes, with the batch size as the first dimension ----------------------------------
    def idt(self, ind=0):
        return self._idt[ind]

    def odt(self, ind=0):
        return self._odt[ind]

    def ishape_normal(self, ind=0):
        return _with_batch(self._ishape["ishape_normal"][ind], self._batch_size)

    def oshape_normal(self, ind=0):
        return _with_batch(self._oshape["oshape_normal"][ind], self._batch_size)

    def ishape_folded(self, ind=0):
        return _with_batch(self._ishape["ishape_folded"][ind], self._batch_size)

    def oshape_folded(self, ind=0):
        return _with_batch(self._oshape["oshape_folded"][ind], self._batch_size)

    def ishape_packed(self, ind=0):
        return _with_batch(self._ishape["ishape_packed"][ind], self._batch_size)

    def oshape_packed(self, ind=0):
        return _with_batch(self._oshape["oshape_packed"][ind], self._batch_size)

    # --- data layout ------------------------------------------------------------------------
    def fold_input(self, ibuf_normal, ind=0):
        """A batch in the input's normal shape, reshaped to the first layer's folded shape."""
        ibuf_normal = np.asarray(ibuf_normal)
        if ibuf_normal.shape != self.ishape_normal(ind):
            raise ValueError("input %d has shape %s, the accelerator takes %s at batch size %d"
                             % (ind, ibuf_normal.shape, self.ishape_normal(ind),
                                self._batch_size))
        return ibuf_normal.reshape(self.ishape_folded(ind))

    def pack_input(self, ibuf_folded, ind=0):
        """Folded input values as the bytes of the input DMA's buffer (uint8)."""
        return finnpy_to_packed_bytearray(ibuf_folded, self.idt(ind), reverse_inner=True,
                                          reverse_endian=True, fast_mode=True)

    def unpack_output(self, obuf_packed, ind=0):
        """The output DMA's buffer bytes as values in the last layer's folded shape."""
        return packed_bytearray_to_finnpy(obuf_packed, self.odt(ind), self.oshape_folded(ind),
                                          reverse_inner=True, reverse_endian=True,
                                          fast_mode=True)

    def unfold_output(self, obuf_folded, ind=0):
        """Folded output values reshaped to the output's normal shape."""
        return np.asarray(obuf_folded).reshape(self.oshape_normal(ind))

    def pack_output(self, obuf_folded, ind=0):
        """The inverse of unpack_output: the bytes the hardware sends for these values.

        Not part of FINN's driver; for tests and for simulated hardware.
        """
        return finnpy_to_packed_bytearray(obuf_folded, self.odt(ind), reverse_inner=True,
                                          reverse_endian=True)

    def fold_output(self, obuf_normal, ind=0):
        """The inverse of unfold_output (not part of FINN's driver)."""
        return np.asarray(obuf_normal).reshape(self.oshape_folded(ind))

    def random_input(self, ind=0):
        """A batch of random values of the input datatype, in the normal shape, in the
        smallest numpy integer type that holds them (as images come: uint8 for UINT8)."""
        return random_tensor(self.idt(ind), self.ishape_normal(ind))


class FINNExampleOverlay(AcceleratorIO):
    """The accelerator on a PYNQ board (zynq-iodma) or an Alveo card (alveo).

    Wraps a pynq.Overlay (attribute lookups not found here go to it, e.g. accel.idma0) and
    keeps FINN's constructor, methods and throughput_test report.

    fclk_mhz: None (the default) keeps the fabric clock PYNQ programmed from the bitfile's
    .hwh on download, which is the clock the design was implemented for; a number > 0 sets
    PL clock 0 to it afterwards, as FINN's driver does (PYNQ picks the nearest divisors,
    which may be faster than asked). FINN's default is 100.0.
    """

    def __init__(self, bitfile_name, platform, io_shape_dict, batch_size=1, fclk_mhz=None,
                 device=None, download=True, runtime_weight_dir="runtime_weights/"):
        if platform not in _PLATFORMS:
            raise ValueError("unknown platform %r: use one of %s" % (platform,
                                                                   ", ".join(_PLATFORMS)))
        # PYNQ exists only on the board: imported here so that AcceleratorIO works anywhere.
        try:
            import pynq
        except ImportError:
            raise ImportError("PYNQ is not installed: the overlay runs on the board "
                              "(AcceleratorIO packs and unpacks data anywhere)") from None
        self._pynq = pynq
        self.platform = platform
        self.device = device
        self.fclk_mhz = fclk_mhz
        self.overlay = pynq.Overlay(bitfile_name, download=download, device=device)
        self.runtime_weight_dir = runtime_weight_dir
        if platform == "zynq-iodma" and fclk_mhz is not None and fclk_mhz > 0:
            from pynq.ps import Clocks
            Clocks.fclk0_mhz = fclk_mhz
        self.idma = [self._dma(name)
                     for name in _per_stream(io_shape_dict.get("input_dma_name", "idma0"))]
        self.odma = [self._dma(name)
                     for name in _per_stream(io_shape_dict.get("output_dma_name", "odma0"))]
        self.external_weights = []
        self._handles = []
        AcceleratorIO.__init__(self, io_shape_dict, batch_size)
        self.load_external_weights(io_shape_dict.get("number_of_external_weights", 0))
        self.load_runtime_weights()

    def __getattr__(self, name):
        # Only called for names this object lacks: IP blocks and overlay properties.
        overlay = self.__dict__.get("overlay")
        if overlay is None:
            raise AttributeError(name)
        return getattr(overlay, name)

    def _dma(self, name):
        """The DMA (or weight DMA) cell `name`: an object with read/write (Zynq) or start
        (Alveo)."""
        ip = getattr(self.overlay, name, None)
        if self.platform != "zynq-iodma":
            if ip is None:
                raise RuntimeError("the overlay has no kernel %s" % name)
            return ip
        if callable(getattr(ip, "read", None)) and callable(getattr(ip, "write", None)):
            return ip
        # PYNQ 2.4 to 2.6 name a module reference's registers <cell>/<interface> in
        # ip_dict and make the cell a hierarchy without read/write; from 2.7 the key is the
        # cell. The registers are reached through MMIO in either case.
        ip_dict = getattr(self.overlay, "ip_dict", {})
        for key in (name, name + "/s_axi_control"):
            if key in ip_dict:
                entry = ip_dict[key]
                return self._pynq.MMIO(int(entry["phys_addr"]), int(entry["addr_range"]))
        raise RuntimeError("the overlay has no DMA %s: its ip_dict holds %s"
                           % (name, ", ".join(sorted(ip_dict)) or "nothing"))

    # --- weights ----------------------------------------------------------------------------
    def load_external_weights(self, expected):
        """Weight buffers for weight DMAs: runtime_weights/<dma name>.npy (packed bytes)."""
        w_dir = self.runtime_weight_dir
        names = sorted(f for f in os.listdir(w_dir) if f.endswith(".npy")) \
            if os.path.isdir(w_dir) else []
        for f in names:
            data = np.load(os.path.join(w_dir, f))
            buf = self._allocate(data.shape)
            buf[:] = data
            buf.flush()
            name = f[:-len(".npy")]
            self.external_weights.append((name, self._dma(name), buf))
        if len(self.external_weights) != expected:
            raise RuntimeError("%s holds %d external weight files, the accelerator has %d "
                               "weight DMAs" % (w_dir, len(self.external_weights), expected))

    def load_runtime_weights(self):
        w_dir = self.runtime_weight_dir
        if os.path.isdir(w_dir) and any(f.endswith(".dat") for f in os.listdir(w_dir)):
            # shoal builds keep every weight in the fabric; nothing to write at run time.
            raise RuntimeError("%s holds runtime-writable weights (.dat), which shoal "
                               "designs do not have" % w_dir)

    # --- buffers ----------------------------------------------------------------------------
    def _allocate(self, shape):
        # Caches are flushed and invalidated explicitly on Zynq; Alveo buffers are not
        # cacheable.
        kwargs = {"shape": shape, "dtype": np.uint8,
                  "cacheable": self.platform == "zynq-iodma"}
        if self.device is not None:
            kwargs["target"] = self.device
        try:
            return self._pynq.allocate(**kwargs)
        except TypeError as e:
            # Alveo on PYNQ 2.5 and 2.6: XrtMemory.allocate(shape, dtype) takes no more.
            if self.platform == "zynq-iodma" or "cacheable" not in str(e):
                raise
            del kwargs["cacheable"]
            return self._pynq.allocate(**kwargs)

    def _batch_size_changed(self):
        self.ibuf_packed_device = [self._allocate(self.ishape_packed(i))
                                   for i in range(self.num_inputs)]
        self.obuf_packed_device = [self._allocate(self.oshape_packed(o))
                                   for o in range(self.num_outputs)]
        self.obuf_packed = [np.empty_like(b) for b in self.obuf_packed_device]

    def copy_input_data_to_device(self, data, ind=0):
        np.copyto(self.ibuf_packed_device[ind], data)
        self.ibuf_packed_device[ind].flush()

    def copy_output_data_from_device(self, data, ind=0):
        self.obuf_packed_device[ind].invalidate()
        np.copyto(data, self.obuf_packed_device[ind])

    # --- running ----------------------------------------------------------------------------
    @staticmethod
    def _address(buf):
        # PYNQ's buffers have both names from 2.5 on; physical_address stays as the
        # fallback for a buffer of another kind.
        return buf.device_address if hasattr(buf, "device_address") else buf.physical_address

    def _start_dma(self, dma, buf, batch_size):
        # PYNQ's MMIO.write takes only a Python int (type(data) is int): no numpy integers.
        address = int(self._address(buf))
        dma.write(_REG_ADDR_LO, address & 0xFFFFFFFF)
        dma.write(_REG_ADDR_HI, address >> 32)
        dma.write(_REG_NUM_REPS, int(batch_size))
        dma.write(_REG_CONTROL, _CTRL_START)

    def execute_on_buffers(self, asynch=False, batch_size=None):
        """Runs the accelerator on the device buffers; waits unless asynch."""
        batch_size = self._batch_size if batch_size is None else int(batch_size)
        if batch_size > self._batch_size:
            raise ValueError("batch size %d exceeds the buffers' %d" % (batch_size,
                                                                       self._batch_size))
        if self.platform == "zynq-iodma":
            for o, dma in enumerate(self.odma):
                if not dma.read(_REG_CONTROL) & _CTRL_IDLE:
                    raise RuntimeError("output DMA %d is not idle" % o)
            # Consumers first, so that nothing the input DMA sends waits for a started sink.
            for _, dma, buf in self.external_weights:
                self._start_dma(dma, buf, batch_size)
            for o, dma in enumerate(self.odma):
                self._start_dma(dma, self.obuf_packed_device[o], batch_size)
            for i, dma in enumerate(self.idma):
                self._start_dma(dma, self.ibuf_packed_device[i], batch_size)
        else:
            self._handles = [dma.start(buf, batch_size) for _, dma, buf in self.external_weights]
            self._handles += [dma.start(self.obuf_packed_device[o], batch_size)
                              for o, dma in enumerate(self.odma)]
            self._handles += [dma.start(self.ibuf_packed_device[i], batch_size)
                              for i, dma in enumerate(self.idma)]
        if not asynch:
            self.wait_until_finished()

    def wait_until_finished(self):
        if self.platform == "zynq-iodma":
            for dma in self.odma:
                while not dma.read(_REG_CONTROL) & _CTRL_DONE:
                    pass
        else:
            for handle in self._handles:
                handle.wait()
            self._handles = []

    def execute(self, input_npy):
        """Samples in (a list of inputs in) the normal shape -> the outputs, via the board."""
        inputs = input_npy if isinstance(input_npy, list) else [input_npy]
        if len(inputs) != self.num_inputs:
            raise ValueError("%d inputs given, the accelerator has %d" % (len(inputs),
                                                                        self.num_inputs))
        for i, ibuf_normal in enumerate(inputs):
            self.copy_input_data_to_device(self.pack_input(self.fold_input(ibuf_normal, i), i),
                                           i)
        self.execute_on_buffers()
        outputs = []
        for o in range(self.num_outputs):
            self.copy_output_data_from_device(self.obuf_packed[o], o)
            outputs.append(self.unfold_output(self.unpack_output(self.obuf_packed[o], o), o))
        return outputs[0] if self.num_outputs == 1 else outputs

    def clock_mhz(self):
        """The fabric clock as PYNQ reports it now (not the one the design was built for)."""
        if self.platform == "zynq-iodma":
            from pynq.ps import Clocks
            return Clocks.fclk0_mhz
        return self.overlay.clock_dict["clock0"]["frequency"]

    def throughput_test(self):
        """FINN's throughput report (a dict) for one run over the whole batch."""
        res = {}
        start = time.time()
        self.execute_on_buffers()
        runtime = time.time() - start
        bs = self._batch_size
        res["runtime[ms]"] = runtime * 1000
        res["throughput[images/s]"] = bs / runtime
        in_bytes = sum(int(np.prod(self.ishape_packed(i))) for i in range(self.num_inputs))
        out_bytes = sum(int(np.prod(self.oshape_packed(o))) for o in range(self.num_outputs))
        res["DRAM_in_bandwidth[MB/s]"] = in_bytes * 1e-6 / runtime
        res["DRAM_out_bandwidth[MB/s]"] = out_bytes * 1e-6 / runtime
        for name, _, buf in self.external_weights:
            res["DRAM_extw_%s_bandwidth[MB/s]" % name] = bs * buf.size * 1e-6 / runtime
        res["fclk[mhz]"] = self.clock_mhz()
        res["batch_size"] = bs
        # The host's share of a run, on random data.
        x = self.random_input()
        start = time.time()
        folded = self.fold_input(x)
        res["fold_input[ms]"] = (time.time() - start) * 1000
        start = time.time()
        packed = self.pack_input(folded)
        res["pack_input[ms]"] = (time.time() - start) * 1000
        start = time.time()
        self.copy_input_data_to_device(packed)
        res["copy_input_data_to_device[ms]"] = (time.time() - start) * 1000
        start = time.time()
        self.copy_output_data_from_device(self.obuf_packed[0])
        res["copy_output_data_from_device[ms]"] = (time.time() - start) * 1000
        start = time.time()
        obuf_folded = self.unpack_output(self.obuf_packed[0])
        res["unpack_output[ms]"] = (time.time() - start) * 1000
        start = time.time()
        self.unfold_output(obuf_folded)
        res["unfold_output[ms]"] = (time.time() - start) * 1000
        return res
