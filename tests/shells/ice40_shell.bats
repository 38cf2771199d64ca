#!/usr/bin/env bats
# shells/ice40: the UART shell around a stitched design, simulated with iverilog.

setup() {
  load ../tools/test_helper
  SHELLS="$ROOT/shells/ice40"
}

# Packs $1.npy (rows = frames) as the shell's host sends it: per beat `per_beat` elements of
# `bits` bits (two's complement), element 0 in the low bits, `bytes` bytes least significant
# first; one hex byte per line into $2.
pack_hex() {
  py - "$@" <<'PY'
import sys, numpy as np
src, dst, per_beat, bits, nbytes = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
lines = []
for row in np.load(src).reshape(-1, np.load(src).shape[-1]):
    for b in range(len(row) // per_beat):
        word = 0
        for s in range(per_beat):
            word |= (int(row[b * per_beat + s]) & ((1 << bits) - 1)) << (bits * s)
        lines += ["%02x" % ((word >> (8 * k)) & 255) for k in range(nbytes)]
open(dst, "w").write("\n".join(lines) + "\n")
PY
}

run_shell_tb() {  # STITCHED_IP_DIR WORK IN_BYTES OUT_BYTES FRAME_IN FRAME_OUT FRAMES
  local ip=$1 w=$2
  local srcs=()
  while read -r f; do srcs+=("$ip/$f"); done < "$ip/all_verilog_srcs.txt"
  iverilog -g2012 -o "$w/tb.vvp" -s tb_ice40_shell \
    -P tb_ice40_shell.IN_BYTES="$3" -P tb_ice40_shell.OUT_BYTES="$4" \
    -P tb_ice40_shell.FRAME_IN="$5" -P tb_ice40_shell.FRAME_OUT="$6" \
    -P tb_ice40_shell.FRAMES="$7" \
    -P "tb_ice40_shell.IN_FILE=\"$w/in.hex\"" -P "tb_ice40_shell.OUT_FILE=\"$w/out.hex\"" \
    "$ROOT/tests/shells/tb_ice40_shell.sv" "$SHELLS/shoal_uart_rx.sv" "$SHELLS/shoal_uart_tx.sv" \
    "$SHELLS/shoal_ice40_shell.sv" "${srcs[@]}" 2>&1 | grep -v "sorry: Case unique" || true
  # $readmemh in the design reads its .dat files relative to the run directory
  (cd "$ip" && vvp -n "$w/tb.vvp")
}

@test "frames sent over the UART come back as the model's outputs, byte for byte" {
  local d="$BATS_TEST_TMPDIR/f"
  stitched_facile "$d"
  # facile at FACILE_HW_FOLDING: INT6 input, SIMD 1 (one 6-bit element in a byte per
  # beat, 14 beats a frame); UINT4 output, one byte a frame
  pack_hex "$d/input.npy" "$BATS_TEST_TMPDIR/in.hex" 1 6 1
  run run_shell_tb "$d/st/stitched_ip" "$BATS_TEST_TMPDIR" 1 1 14 1 16
  assert_success
  assert_output --partial "PASS 16 frames, 16 bytes back"
  py -c '
import sys, numpy as np
e = np.load(sys.argv[1]).astype(int).ravel().tolist()
o = [int(l, 16) for l in open(sys.argv[2])]
assert o == e, (o, e)' "$d/expected_output.npy" "$BATS_TEST_TMPDIR/out.hex"
}

@test "the shell modules are lint-clean" {
  for m in shoal_uart_rx shoal_uart_tx; do
    run verilator --lint-only -Wall --top-module "$m" "$SHELLS/$m.sv"
    assert_success
    assert_output ""
  done
  # the shell and board top around a stand-in design with the same ports
  cat > "$BATS_TEST_TMPDIR/standin.sv" <<'SV'
module finn_design_wrapper (
  input wire ap_clk, input wire ap_rst_n,
  input wire [47:0] s_axis_0_tdata, input wire s_axis_0_tvalid, output wire s_axis_0_tready,
  output wire [15:0] m_axis_0_tdata, output wire m_axis_0_tvalid, input wire m_axis_0_tready);
  assign s_axis_0_tready = m_axis_0_tready;
  assign m_axis_0_tvalid = s_axis_0_tvalid;
  assign m_axis_0_tdata = s_axis_0_tdata[15:0] ^ s_axis_0_tdata[47:32] ^ {15'b0, ap_clk ^ ap_rst_n} ^ s_axis_0_tdata[31:16];
endmodule
SV
  run verilator --lint-only -Wall -Wno-DECLFILENAME -GIN_BYTES=6 -GOUT_BYTES=2 \
    --top-module ice40_board_top "$SHELLS/ice40_board_top.sv" "$SHELLS/shoal_ice40_shell.sv" \
    "$SHELLS/shoal_uart_rx.sv" "$SHELLS/shoal_uart_tx.sv" "$BATS_TEST_TMPDIR/standin.sv"
  assert_success
  assert_output ""
}
