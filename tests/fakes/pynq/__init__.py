"""A stand-in for PYNQ, to run the generated driver off the board (tests only).

Put the folder that holds this package (tests/fakes) first on PYTHONPATH. Everything
below is selected through the environment, so that driver.py runs unchanged:

FAKE_PYNQ_VERSION  the PYNQ release imitated (default 3.1), where releases differ:
    2.5, 2.6  ip_dict names a module reference's registers "<cell>/s_axi_control" and
              overlay.<cell> is a hierarchy without read/write (PYNQ's hwh parser up to
              2.6.x): the registers are reached with
              pynq.MMIO(ip_dict[key]["phys_addr"], ip_dict[key]["addr_range"]).
              allocate() on an Alveo device takes shape, dtype and target only
              (XrtMemory.allocate): cacheable= is a TypeError.
    2.7, 3.0, 3.1  ip_dict keys are the cells ("idma0"), overlay.idma0 has read/write.
FAKE_PYNQ_HWH_FCLK_MHZ  the clock the bitfile's .hwh asks for (default 100.0): a download
    sets pynq.ps.Clocks.fclk0_mhz to it, as PYNQ programs the hwh's clocks.
FAKE_PYNQ_HW, FAKE_PYNQ_TABLE  the hardware (below).
FAKE_PYNQ_TRACE  a file to which every register access, clock change, allocation and run
    is appended, one line each (also kept in the list pynq.trace).

Overlay(bitfile, download=True, device=None)
  Zynq (no device): <bitfile without .bit>.hwh must exist beside it, as PYNQ requires.
  Its cells idma0 and odma0 are the shell's DMAs, each with the register map of
  shells/zynq/shoal_iodma_ctrl.sv:
    0x00  bit 0 ap_start (reads 1 until the run is over), bit 1 ap_done (cleared when
          read), bit 2 ap_idle
    0x10, 0x14  the buffer's address, low and high word
    0x1C  numReps, the number of frames, taken when ap_start is written
  Register writes insist, as PYNQ's MMIO.write does, on type(data) is int (a numpy
  integer is a ValueError), on a 32-bit value and on an offset that is a multiple of 4.
  Alveo (a device from pynq.Device.devices): idma0 and odma0 are kernels with
  start(buffer, frames), whose handle has wait().

allocate(shape, dtype, target=None, cacheable=...) returns a zeroed numpy array (a
PynqBuffer) with device_address (above 4 GiB, so the high address word matters),
physical_address (the same), flush(), invalidate() and freebuffer(). The "device" sees its
own copy of a buffer: what the host writes reaches it on flush(), what the device writes
reaches the host on invalidate() (except for non-cacheable Zynq buffers, which are
coherent), so a driver that forgets either reads or sends stale bytes.

The hardware: when both DMAs have been started (either order; the frame counts must
agree) one run of FRAMES frames happens. A frame is a buffer's size divided by the first
dimension of its shape (the driver allocates one row per frame); the input DMA reads
FRAMES input frames from its address, the output DMA writes FRAMES output frames to its
address.
  FAKE_PYNQ_HW set: the command it holds (split as a shell would, run without one) is
    called as  CMD IN.bin OUT.bin FRAMES  in a temporary directory. IN.bin holds the bytes
    the input DMA reads, exactly FRAMES input frames; the command must exit with 0 and
    write OUT.bin, exactly FRAMES output frames, which the output DMA writes to memory.
  else FAKE_PYNQ_TABLE, an .npz with arrays "in" and "out" (one row of frame bytes per
    frame): each input frame is answered with its row of "out"; a frame the table does
    not hold is answered with zeros and counted in the trace.
The input DMA is then done and idle; the output DMA reads as running (ap_start) for two
more reads of its control register, then done and idle.
"""

import os
import shlex
import subprocess
import tempfile

import numpy as np

__version__ = os.environ.get("FAKE_PYNQ_VERSION", "3.1")
_VERSION = tuple(int(p) for p in __version__.split(".")[:2])
if _VERSION < (2, 5) or _VERSION > (3, 1):
    raise ImportError("fake pynq: FAKE_PYNQ_VERSION=%s is not one of 2.5 to 3.1" % __version__)

trace = []


def _log(line):
    trace.append(line)
    path = os.environ.get("FAKE_PYNQ_TRACE")
    if path:
        with open(path, "a") as f:
            f.write(line + "\n")


# --- buffers ---------------------------------------------------------------------------------
_buffers = []  # (address, PynqBuffer)
_next_address = [0x1_2000_0000]


class PynqBuffer(np.ndarray):
    """A numpy array in "device" memory (see the module docstring)."""

    def flush(self):
        self._device[:] = self.reshape(-1).view(np.uint8)

    def invalidate(self):
        self.reshape(-1).view(np.uint8)[:] = self._device

    def sync_to_device(self):
        self.flush()

    def sync_from_device(self):
        self.invalidate()

    def freebuffer(self):
        pass

    def close(self):
        pass


def allocate(shape, dtype="u4", target=None, **kwargs):
    if target is not None and _VERSION < (2, 7) and kwargs:
        raise TypeError("allocate() got an unexpected keyword argument '%s'" % sorted(kwargs)[0])
    unknown = set(kwargs) - {"cacheable"}
    if unknown:
        raise TypeError("allocate() got an unexpected keyword argument '%s'" % sorted(unknown)[0])
    cacheable = bool(kwargs.get("cacheable", False))
    buf = np.zeros(shape, dtype=dtype).view(PynqBuffer)
    address = _next_address[0]
    _next_address[0] += (buf.nbytes + 0xFFF) & ~0xFFF
    buf.device_address = buf.physical_address = address
    buf.cacheable = cacheable
    if cacheable or target is not None:
        buf._device = np.zeros(buf.nbytes, dtype=np.uint8)
    else:
        buf._device = buf.reshape(-1).view(np.uint8)
    _buffers.append((address, buf))
    given = "".join(" %s=%r" % kv for kv in sorted(kwargs.items()))
    _log("allocate %s %s%s%s" % (tuple(buf.shape), buf.dtype, given,
                                 "" if target is None else " target=%r" % (target,)))
    return buf


def _memory(address, nbytes, who):
    """The device's view of nbytes at address: a slice of a buffer's device copy."""
    for start, buf in _buffers:
        if start <= address < start + buf.nbytes:
            offset = address - start
            if offset + nbytes > buf.nbytes:
                raise RuntimeError("fake pynq: %s would access %d bytes at 0x%x, past the end of "
                                   "the %d-byte buffer at 0x%x" % (who, nbytes, address,
                                                                   buf.nbytes, start))
            return buf, buf._device[offset:offset + nbytes]
    raise RuntimeError("fake pynq: %s was given address 0x%x, which no buffer holds"
                       % (who, address))


# --- the DMAs and the hardware -----------------------------------------------------------
_AP_START, _AP_DONE, _AP_IDLE = 0x1, 0x2, 0x4
_POLL_LIMIT = 100000


class _Dma:
    """The register model of one DMA of shoal's Zynq shell."""

    def __init__(self, name, board, is_input):
        self.name, self.board, self.is_input = name, board, is_input
        self.regs = {0x10: 0, 0x14: 0, 0x1C: 0}
        self.started = None  # (address, frames) of a run not yet over
        self.busy_reads = 0
        self.done = False
        self.polls = 0

    def read(self, offset, api):
        if offset == 0x00:
            value = _AP_IDLE
            if self.started is not None or self.busy_reads:
                value = _AP_START
                if self.busy_reads:
                    self.busy_reads -= 1
                    if not self.busy_reads:
                        self.done = True
                self.polls += 1
                if self.polls > _POLL_LIMIT:
                    raise RuntimeError("fake pynq: %s polled %d times, but %s was never started"
                                       % (self.name, self.polls, self.board.partner(self).name))
            elif self.done:
                value = _AP_DONE | _AP_IDLE
                self.done = False  # clear on read
        else:
            value = self.regs.get(offset, 0)
        _log("%s %s read 0x%02x -> 0x%x" % (api, self.name, offset, value))
        return value

    def write(self, offset, value, api):
        _log("%s %s write 0x%02x 0x%x" % (api, self.name, offset, value))
        if offset == 0x00:
            if value & _AP_START:
                if self.started is not None or self.busy_reads:
                    raise RuntimeError("fake pynq: %s started while running" % self.name)
                self.polls = 0
                self.done = False
                self.started = (self.regs[0x10] | (self.regs[0x14] << 32), self.regs[0x1C])
                self.board.maybe_run()
        else:
            self.regs[offset] = value


def _frame_bytes(buf):
    return buf.nbytes // buf.shape[0] if buf.ndim else buf.nbytes


class _Board:
    def __init__(self):
        self.idma = _Dma("idma0", self, True)
        self.odma = _Dma("odma0", self, False)
        self.runs = 0

    def partner(self, dma):
        return self.odma if dma is self.idma else self.idma

    def maybe_run(self):
        if self.idma.started is None or self.odma.started is None:
            return
        (in_address, frames), (out_address, out_frames) = self.idma.started, self.odma.started
        if frames != out_frames:
            raise RuntimeError("fake pynq: idma0 was started for %d frames, odma0 for %d"
                               % (frames, out_frames))
        in_buf, _ = _memory(in_address, 0, "idma0")
        out_buf, _ = _memory(out_address, 0, "odma0")
        fin, fout = _frame_bytes(in_buf), _frame_bytes(out_buf)
        _, data_in = _memory(in_address, frames * fin, "idma0")
        _, data_out = _memory(out_address, frames * fout, "odma0")
        data_out[:] = np.frombuffer(_hardware(bytes(data_in), frames, fin, fout), np.uint8)
        self.runs += 1
        # The input DMA is done once it has read everything; the output DMA is still
        # writing for a while.
        self.idma.started = self.odma.started = None
        self.idma.done = True
        self.odma.busy_reads = 2


def _hardware(data_in, frames, fin, fout):
    command = os.environ.get("FAKE_PYNQ_HW")
    if command:
        with tempfile.TemporaryDirectory(prefix="fake-pynq-") as tmp:
            in_bin, out_bin = os.path.join(tmp, "IN.bin"), os.path.join(tmp, "OUT.bin")
            with open(in_bin, "wb") as f:
                f.write(data_in)
            r = subprocess.run(shlex.split(command) + [in_bin, out_bin, str(frames)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               universal_newlines=True)
            if r.returncode != 0:
                raise RuntimeError("fake pynq: FAKE_PYNQ_HW exited with %d: %s"
                                   % (r.returncode, r.stderr.strip()))
            if not os.path.exists(out_bin):
                raise RuntimeError("fake pynq: FAKE_PYNQ_HW wrote no OUT.bin")
            with open(out_bin, "rb") as f:
                data_out = f.read()
        if len(data_out) != frames * fout:
            raise RuntimeError("fake pynq: FAKE_PYNQ_HW wrote %d bytes, the output DMA takes "
                               "%d frames of %d" % (len(data_out), frames, fout))
        _log("run %d frames: %d bytes in, %d bytes out (FAKE_PYNQ_HW)"
             % (frames, len(data_in), len(data_out)))
        return data_out
    path = os.environ.get("FAKE_PYNQ_TABLE")
    if not path:
        raise RuntimeError("fake pynq: neither FAKE_PYNQ_HW nor FAKE_PYNQ_TABLE is set")
    t = np.load(path)
    table = {bytes(i): bytes(o) for i, o in zip(t["in"], t["out"])}
    out, unknown = [], 0
    for f in range(frames):
        frame = data_in[f * fin:(f + 1) * fin]
        if frame not in table:
            unknown += 1
        reply = table.get(frame, bytes(fout))
        if len(reply) != fout:
            raise RuntimeError("fake pynq: FAKE_PYNQ_TABLE's output frames have %d bytes, the "
                               "output DMA's %d" % (len(reply), fout))
        out.append(reply)
    _log("run %d frames: %d bytes in, %d bytes out (table: %d unknown)"
         % (frames, len(data_in), frames * fout, unknown))
    return b"".join(out)


# --- PYNQ's classes ----------------------------------------------------------------------------
def _check_write(offset, data):
    if offset < 0:
        raise ValueError("Offset cannot be negative.")
    if offset % 4:
        raise MemoryError("Unaligned write: offset must be multiple of 4.")
    if type(data) is not int:
        raise ValueError("Data type must be int or bytes.")
    if not 0 <= data < 1 << 32:
        raise ValueError("fake pynq: 0x%x does not fit a 32-bit register" % data)


class MMIO:
    """pynq.MMIO over the register model of the DMA at base_addr (else plain registers)."""

    def __init__(self, base_addr, length=4, debug=False, device=None):
        if type(base_addr) is not int or type(length) is not int:
            raise ValueError("Base address or length cannot be converted to int.")
        self.base_addr, self.length = base_addr, length
        self._dma = _dma_at_address.get(base_addr)
        self._regs = {}
        _log("MMIO 0x%x 0x%x" % (base_addr, length))

    def read(self, offset=0, length=4, word_order="little"):
        if offset % 4:
            raise MemoryError("Unaligned read: offset must be multiple of 4.")
        if self._dma is not None:
            return self._dma.read(offset, "MMIO")
        return self._regs.get(offset, 0)

    def write(self, offset, data):
        _check_write(offset, data)
        if self._dma is not None:
            self._dma.write(offset, data, "MMIO")
        else:
            self._regs[offset] = data


_dma_at_address = {}  # phys_addr -> _Dma of the overlay loaded last


class DefaultIP:
    def __init__(self, dma):
        self._dma = dma

    def read(self, offset=0):
        return self._dma.read(offset, "DefaultIP")

    def write(self, offset, value):
        _check_write(offset, value)
        self._dma.write(offset, value, "DefaultIP")


class DefaultHierarchy:
    """What PYNQ up to 2.6 makes of a module reference: a hierarchy holding its interface."""

    def __init__(self, dma):
        self.s_axi_control = DefaultIP(dma)


class _Handle:
    def __init__(self, dma):
        self._dma = dma

    def wait(self):
        while not self._dma.read(0x00, "kernel") & _AP_DONE:
            pass


class _Kernel:
    """An Alveo kernel: start() programs the same registers as the Zynq driver does."""

    def __init__(self, dma):
        self._dma = dma

    def start(self, buf, frames):
        if type(frames) is not int:
            raise TypeError("fake pynq: the frame count must be an int, not %s" % type(frames))
        address = buf.device_address
        self._dma.write(0x10, address & 0xFFFFFFFF, "kernel")
        self._dma.write(0x14, address >> 32, "kernel")
        self._dma.write(0x1C, frames, "kernel")
        self._dma.write(0x00, _AP_START, "kernel")
        return _Handle(self._dma)


class Device:
    """An Alveo card."""

    devices = []

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "<fake Alveo %s>" % self.name


Device.devices = [Device("xilinx_u250_xdma_201830_2")]


class Overlay:
    def __init__(self, bitfile_name, download=True, device=None):
        if not os.path.exists(bitfile_name):
            raise IOError("Bitstream file %s does not exist." % bitfile_name)
        self.device = device
        board = _Board()
        self._board = board
        if device is None:
            hwh = os.path.splitext(bitfile_name)[0] + ".hwh"
            if not os.path.exists(hwh):
                raise ValueError("Cannot find HWH file %s." % hwh)
            suffix = "/s_axi_control" if _VERSION < (2, 7) else ""
            self.ip_dict = {}
            for dma, address in ((board.idma, 0xA000_0000), (board.odma, 0xA001_0000)):
                self.ip_dict[dma.name + suffix] = {
                    "phys_addr": address, "addr_range": 0x1000,
                    "type": "xilinx.com:module_ref:shoal_%s:1.0" % dma.name[:4]}
                _dma_at_address[address] = dma
                ip = DefaultIP(dma) if not suffix else DefaultHierarchy(dma)
                setattr(self, dma.name, ip)
            if download:
                from pynq.ps import Clocks
                Clocks._download(float(os.environ.get("FAKE_PYNQ_HWH_FCLK_MHZ", "100.0")))
        else:
            self.ip_dict = {"idma0": {"type": "kernel"}, "odma0": {"type": "kernel"}}
            self.idma0, self.odma0 = _Kernel(board.idma), _Kernel(board.odma)
            self.clock_dict = {"clock0": {"frequency": 250.0}}
        _log("Overlay %s download=%s device=%s" % (os.path.basename(bitfile_name), download,
                                                   device))

    @property
    def runs(self):
        return self._board.runs
