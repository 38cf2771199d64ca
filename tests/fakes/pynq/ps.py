"""pynq.ps of the fake PYNQ: Clocks, whose fclk0_mhz a download sets (see __init__)."""

_state = {"fclk0_mhz": 50.0}  # before any download (the PS's reset value is no concern here)


class _ClocksMeta(type):
    @property
    def fclk0_mhz(cls):
        return _state["fclk0_mhz"]

    @fclk0_mhz.setter
    def fclk0_mhz(cls, mhz):
        from pynq import _log
        _log("Clocks.fclk0_mhz = %r" % (mhz,))
        _state["fclk0_mhz"] = float(mhz)


class Clocks(metaclass=_ClocksMeta):
    @staticmethod
    def _download(mhz):
        # PYNQ programs the hwh's clock on download: no request of the driver's.
        from pynq import _log
        _log("download: fclk0_mhz %r" % (mhz,))
        _state["fclk0_mhz"] = mhz
