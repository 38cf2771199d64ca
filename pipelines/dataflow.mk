# The hardware steps of FINN v0.6's default build, after the estimate-only ones
# (estimate.mk, included):
#
#   step_hls_codegen  step_hls_ipgen  step_set_fifo_depths  step_create_stitched_ip
#   step_measure_rtlsim_performance  step_out_of_context_synthesis  step_synthesize_bitfile
#   step_make_pynq_driver  step_deployment_package
#
# As in FINN, every step runs and writes $(OUT)/intermediate_models/<step>.onnx, but the
# work of the last two depends on generate_outputs (STITCHED_IP, RTLSIM_PERFORMANCE);
# a step with nothing to do passes its model on. Usage:
#
#   make -f pipelines/dataflow.mk MODEL=model.onnx OUT=build CLK_NS=10 STITCHED_IP=1 \
#        RTLSIM_PERFORMANCE=1
#
# Besides estimate.mk's variables:
# FPGA_PART           fpga_part, written into make_project.tcl        xczu3eg-sbva484-1-e
# STITCHED_IP         1: write $(OUT)/stitched_ip (generate_outputs)   1
# RTLSIM_PERFORMANCE  1: write $(OUT)/report/rtlsim_performance.json   0
# RTLSIM_N            frames for the performance run; empty: one per layer (FINN v0.6)
# OOC_SYNTH           1: write $(OUT)/report/ooc_synth_and_timing.json  0
#                     (synth for FPGA_PART; work in $(OUT)/synth)
# OOC_LAYER_SUM       1: without Vivado, the sum of every layer synthesized   0
#                     alone, in parallel and cached (synth --layer-sum: faster, not
#                     exact); 0: the flattened design in one run
# PYNQ_DRIVER         1: write $(OUT)/driver (pynq-driver)              0
# BITFILE             1: step_synthesize_bitfile: the BOARD's shell       0
#                     (synth --bitfile; $(OUT)/bitfile, work in $(OUT)/synth)
# BOARD               the board (FINN's names; iCEBreaker, iCE40HX8K-B-EVN)
# SHELL_FLOW_TYPE     vivado_zynq, ice40_uart (empty: the board's)
# DEPLOYMENT_PACKAGE  1: write $(OUT)/deploy (driver/, bitfile/)        0
# DRIVER_PLATFORM     zynq-iodma (vivado_zynq) or alveo (vitis_alveo)   zynq-iodma
#
# Outputs: $(OUT)/ip/<node>/ (per-layer IP), $(OUT)/fifo_sizing.json and
# $(OUT)/fifo_sizing/ (the sizing simulations), $(OUT)/final_hw_config.json (folding and
# FIFO depths), $(OUT)/stitched_ip/, $(OUT)/report/rtlsim_performance.json,
# $(OUT)/bitfile/ (finn-accel.bit and .hwh, or finn-accel.bin for iCE40; a README with
# the command that finishes the job where Vivado is missing), $(OUT)/driver/ and
# $(OUT)/deploy/.
#
# For iCE40 parts every threshold unit is the binary-search form (ipgen --thresholds
# search): the parallel form's wide threshold lines do not fit iCE40 block RAMs.

PIPELINES_DIR := $(dir $(abspath $(lastword $(MAKEFILE_LIST))))
include $(PIPELINES_DIR)estimate.mk

FPGA_PART ?= xczu3eg-sbva484-1-e
STITCHED_IP ?= 1
RTLSIM_PERFORMANCE ?= 0
RTLSIM_N ?=
OOC_SYNTH ?= 0
OOC_LAYER_SUM ?= 0
PYNQ_DRIVER ?= 0
DEPLOYMENT_PACKAGE ?= 0
BITFILE ?= 0
BOARD ?=
SHELL_FLOW_TYPE ?=
THRESHOLDS := $(if $(filter ice40%,$(FPGA_PART)),search,parallel)
DRIVER_PLATFORM ?= zynq-iodma
# What the driver names as its source: the model given, not an intermediate file (both
# driver steps write $(OUT)/driver, and must write the same bytes: a build interrupted
# between them leaves the final files).
DRIVER_NAME = '$(subst ','\'',$(notdir $(MODEL)))'

ifeq ($(RTLSIM_PERFORMANCE)$(STITCHED_IP),10)
$(error RTLSIM_PERFORMANCE=1 needs STITCHED_IP=1: the simulation runs the stitched design)
endif
ifeq ($(filter 1,$(PYNQ_DRIVER) $(DEPLOYMENT_PACKAGE) $(OOC_SYNTH) $(BITFILE))$(STITCHED_IP),10)
$(error OOC_SYNTH=1, BITFILE=1, PYNQ_DRIVER=1 and DEPLOYMENT_PACKAGE=1 need STITCHED_IP=1: they work on the stitched design)
endif
ifeq ($(BITFILE)$(BOARD),1)
$(error BITFILE=1 needs BOARD=...: the shell is made for a board)
endif

HW_STEPS := step_hls_codegen step_hls_ipgen step_set_fifo_depths step_create_stitched_ip \
  step_measure_rtlsim_performance
LATER_STEPS := step_out_of_context_synthesis step_synthesize_bitfile step_make_pynq_driver \
  step_deployment_package
.PHONY: $(HW_STEPS) $(LATER_STEPS)
all: step_deployment_package
$(foreach s,$(HW_STEPS) $(LATER_STEPS),$(eval $(s): $(IM)/$(s).onnx))

$(call step_args,ipgen,$(THRESHOLDS))
$(call step_args,stitched_ip,$(STITCHED_IP) $(FPGA_PART))
$(call step_args,rtlsim,$(RTLSIM_PERFORMANCE) $(RTLSIM_N))
$(call step_args,synth,$(OOC_SYNTH) $(FPGA_PART) $(OOC_LAYER_SUM))
# Whether Vivado is on PATH is an argument too: once it is, the Zynq bitfile step reruns.
$(call step_args,bitfile,$(BITFILE) $(BOARD) $(SHELL_FLOW_TYPE) $(if $(BITFILE:0=),$(shell command -v vivado)))
$(call step_args,driver,$(PYNQ_DRIVER) $(DRIVER_PLATFORM))
$(call step_args,deploy,$(DEPLOYMENT_PACKAGE) $(DRIVER_PLATFORM))

# FINN generates HLS C++ here; shoal writes RTL directly in the next step, so the model
# passes through unchanged (the step exists so that FINN's step lists run as they are).
$(IM)/step_hls_codegen.onnx: $(IM)/step_generate_estimate_reports.onnx
	$(call announce,step_hls_codegen)
	$(pass_on)

$(IM)/step_hls_ipgen.onnx: $(IM)/step_hls_codegen.onnx $(ARGS)/ipgen $(BIN)/ipgen
	$(call announce,step_hls_ipgen)
	$(BIN)/ipgen $< -o $@ --out-dir $(OUT)/ip $(if $(filter search,$(THRESHOLDS)),--thresholds search)

$(IM)/step_set_fifo_depths.onnx: $(IM)/step_hls_ipgen.onnx $(BIN)/stitch
	$(call announce,step_set_fifo_depths)
	$(BIN)/stitch $< -o $@ --size-fifos-only --out-dir $(OUT) --clk-ns $(CLK_NS) \
	  --write-config $(OUT)/final_hw_config.json

$(IM)/step_create_stitched_ip.onnx: $(IM)/step_set_fifo_depths.onnx $(ARGS)/stitched_ip $(BIN)/stitch
	$(call announce,step_create_stitched_ip)
ifeq ($(STITCHED_IP),1)
	$(BIN)/stitch $< -o $@ --stitch-only --out-dir $(OUT) --clk-ns $(CLK_NS) --part $(FPGA_PART)
else
	$(pass_on)
endif

# The report is the step's product; the model passes through.
$(IM)/step_measure_rtlsim_performance.onnx: $(IM)/step_create_stitched_ip.onnx $(ARGS)/rtlsim $(BIN)/rtlsim
	$(call announce,step_measure_rtlsim_performance)
ifeq ($(RTLSIM_PERFORMANCE),1)
	$(BIN)/rtlsim $< --perf --report-dir $(OUT)/report $(if $(RTLSIM_N),-n $(RTLSIM_N))
endif
	$(pass_on)

$(IM)/step_out_of_context_synthesis.onnx: $(IM)/step_measure_rtlsim_performance.onnx $(ARGS)/synth $(BIN)/synth
	$(call announce,step_out_of_context_synthesis)
ifeq ($(OOC_SYNTH),1)
	$(BIN)/synth $< --part $(FPGA_PART) --clk-ns $(CLK_NS) --report-dir $(OUT)/report \
	  --work-dir $(OUT)/synth $(if $(filter 1,$(OOC_LAYER_SUM)),--layer-sum)
endif
	$(pass_on)

# The shell and the bitstream for BOARD. Without Vivado, a Zynq board gets its Vivado
# project and $(OUT)/bitfile/README.md saying how to finish; the step succeeds (the synth
# line in the log says Vivado is needed).
$(IM)/step_synthesize_bitfile.onnx: $(IM)/step_out_of_context_synthesis.onnx $(ARGS)/bitfile $(BIN)/synth
	$(call announce,step_synthesize_bitfile)
ifeq ($(BITFILE),1)
	$(BIN)/synth $< --bitfile $(OUT)/bitfile --board $(BOARD) \
	  $(if $(SHELL_FLOW_TYPE),--shell-flow-type $(SHELL_FLOW_TYPE)) --clk-ns $(CLK_NS) \
	  --report-dir $(OUT)/report --work-dir $(OUT)/synth
endif
	$(pass_on)

$(IM)/step_make_pynq_driver.onnx: $(IM)/step_synthesize_bitfile.onnx $(ARGS)/driver $(BIN)/pynq-driver
	$(call announce,step_make_pynq_driver)
ifeq ($(PYNQ_DRIVER),1)
	$(BIN)/pynq-driver $< --out-dir $(OUT) --platform $(DRIVER_PLATFORM) --name $(DRIVER_NAME)
endif
	$(pass_on)

# FINN's deployment package: the driver and the bitfile directory side by side (the bitfile
# needs Vivado; without it deploy/bitfile holds a README saying so).
$(IM)/step_deployment_package.onnx: $(IM)/step_make_pynq_driver.onnx $(ARGS)/deploy $(BIN)/pynq-driver
	$(call announce,step_deployment_package)
ifeq ($(DEPLOYMENT_PACKAGE),1)
	rm -rf $(OUT)/deploy
	$(BIN)/pynq-driver $< --out-dir $(OUT) --platform $(DRIVER_PLATFORM) --name $(DRIVER_NAME) \
	  --deploy $(OUT)/deploy --bitfile-dir $(OUT)/bitfile
endif
	$(pass_on)
