# The iCE40 bitstream of a stitched design inside the UART shell (shoal_ice40_shell):
#
#   make -f shells/ice40/build.mk STITCHED_IP=DIR IN_BYTES=n OUT_BYTES=n OUT=DIR \
#        [BOARD=icebreaker|hx8k_breakout] [BAUD=115200]
#
# STITCHED_IP is stitch's stitched_ip/ (all_verilog_srcs.txt lists its files); IN_BYTES and
# OUT_BYTES are its s_axis_0/m_axis_0 TDATA widths in bytes. Writes OUT/shoal_ice40.json
# (yosys), .asc and nextpnr's report .json (placement, routing, fmax at the board's 12 MHz),
# OUT/shoal_ice40.bin (icepack) and OUT/shoal_ice40.log.
# nextpnr fails the build when the design misses 12 MHz or does not fit the device.

MAKEFLAGS += --no-builtin-rules --no-builtin-variables
SHELL_DIR := $(dir $(abspath $(lastword $(MAKEFILE_LIST))))
BOARD ?= icebreaker
BAUD ?= 115200
CLK_MHZ := 12
ifeq ($(BOARD),icebreaker)
DEVICE := --up5k --package sg48
HAS_BUTTON := 1
else ifeq ($(BOARD),hx8k_breakout)
DEVICE := --hx8k --package ct256
HAS_BUTTON := 0
else
$(error BOARD must be icebreaker or hx8k_breakout, not '$(BOARD)')
endif
ifeq ($(STITCHED_IP),)
$(error STITCHED_IP=... is required)
endif
ifeq ($(and $(IN_BYTES),$(OUT_BYTES),$(OUT)),)
$(error IN_BYTES=, OUT_BYTES= and OUT= are required)
endif

CLKS_PER_BIT := $(shell echo $$(( ($(CLK_MHZ) * 1000000 + $(BAUD) / 2) / $(BAUD) )))
SOURCES := $(addprefix $(abspath $(STITCHED_IP))/,$(file < $(STITCHED_IP)/all_verilog_srcs.txt)) \
  $(addprefix $(SHELL_DIR),shoal_uart_rx.sv shoal_uart_tx.sv shoal_ice40_shell.sv ice40_board_top.sv)
PARAMS := -set IN_BYTES $(IN_BYTES) -set OUT_BYTES $(OUT_BYTES) -set CLKS_PER_BIT $(CLKS_PER_BIT) \
  -set HAS_BUTTON $(HAS_BUTTON)

.PHONY: all
.DELETE_ON_ERROR:
all: $(OUT)/shoal_ice40.bin

# yosys runs in the stitched IP directory: $readmemh paths there are relative to it.
$(OUT)/shoal_ice40.json: $(SOURCES)
	mkdir -p $(OUT)
	cd $(STITCHED_IP) && yosys -q -l $(abspath $(OUT))/shoal_ice40.log -p \
	  "read_verilog -sv $(SOURCES); chparam $(PARAMS) ice40_board_top; \
	   synth_ice40 -top ice40_board_top -json $(abspath $@)"

$(OUT)/shoal_ice40.asc: $(OUT)/shoal_ice40.json $(SHELL_DIR)$(BOARD).pcf
	nextpnr-ice40 $(DEVICE) --json $< --pcf $(SHELL_DIR)$(BOARD).pcf --pcf-allow-unconstrained \
	  --freq $(CLK_MHZ) --asc $@ --report $(OUT)/nextpnr_report.json --seed 1 \
	  -l $(OUT)/nextpnr.log -q

$(OUT)/shoal_ice40.bin: $(OUT)/shoal_ice40.asc
	icepack $< $@
