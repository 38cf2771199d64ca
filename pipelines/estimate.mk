# The estimate-only build of the reference notebook (estimates.md §1.1, FINN v0.6):
#
#   step_tidy_up  step_streamline  step_convert_to_hls  step_create_dataflow_partition
#   step_target_fps_parallelization  step_apply_folding_config  step_generate_estimate_reports
#
# one rule per step, each writing $(OUT)/intermediate_models/<step>.onnx from the one
# before, so `make` redoes only what changed. Usage:
#
#   make -f pipelines/estimate.mk MODEL=model.onnx OUT=build CLK_NS=200.0 TARGET_FPS=100
#
# MODEL            the input model (QONNX or FINN-ONNX)                       required
# OUT              output directory                                           ./output
# CLK_NS           synth_clk_period_ns; "200" and "200.0" differ as in FINN   required
# TARGET_FPS       target_fps; empty: no SetFolding                           empty
# MVAU_WWIDTH_MAX  mvau_wwidth_max                                            36
# FOLDING_CONFIG   folding_config_file; empty: none                           empty
# MEM_MODE         default_mem_mode (const, decoupled)                        decoupled
# STANDALONE_THRESHOLDS  1: standalone_thresholds                             0
# ESTIMATE_REPORTS 1: write report/*.json (generate_outputs has estimate_reports)  1
# BIN              where the tools are                                        build/bin
#
# Targets: every step name (and `all`, the last step). Changing a variable reruns the steps
# that use it and those after them; touching FOLDING_CONFIG reruns fold and estimate only.

MAKEFLAGS += --no-builtin-rules --no-builtin-variables
PIPELINES_DIR := $(dir $(abspath $(lastword $(MAKEFILE_LIST))))
BIN ?= $(abspath $(PIPELINES_DIR)../build/bin)
OUT ?= output
MVAU_WWIDTH_MAX ?= 36
MEM_MODE ?= decoupled
STANDALONE_THRESHOLDS ?= 0
ESTIMATE_REPORTS ?= 1
TARGET_FPS ?=
FOLDING_CONFIG ?=

ifeq ($(MODEL),)
$(error MODEL=... is required)
endif
ifeq ($(CLK_NS),)
$(error CLK_NS=... is required)
endif

IM := $(OUT)/intermediate_models
ARGS := $(OUT)/.step_args
ESTIMATE_STEPS := step_tidy_up step_streamline step_convert_to_hls step_create_dataflow_partition \
  step_target_fps_parallelization step_apply_folding_config step_generate_estimate_reports

.PHONY: all $(ESTIMATE_STEPS)
.DELETE_ON_ERROR:
all: step_generate_estimate_reports

$(foreach s,$(ESTIMATE_STEPS),$(eval $(s): $(IM)/$(s).onnx))

# A step's settings live in a stamp file that is rewritten (while Make reads this file)
# only when they change; a changed setting thus reruns the step that uses it and those
# after it (Make compares times, not contents). A rewrite goes through a temporary file and
# a rename (one shell, only when a setting changed), so that a killed build leaves no
# half-written settings behind.
$(foreach d,$(ARGS) $(IM),$(if $(wildcard $(d)),,$(shell mkdir -p $(d))))
space := $(subst ,, )
same = $(filter x$(subst $(space),_,$(1))x,x$(subst $(space),_,$(2))x)
step_args = $(if $(and $(wildcard $(ARGS)/$(1)),$(call same,$(file < $(ARGS)/$(1)),$(2))),,$(file > $(ARGS)/$(1).tmp,$(2))$(shell mv -f $(ARGS)/$(1).tmp $(ARGS)/$(1)))
$(call step_args,model,$(abspath $(MODEL)))
$(call step_args,convert,$(MEM_MODE) $(STANDALONE_THRESHOLDS))
$(call step_args,fold,$(CLK_NS) $(TARGET_FPS) $(MVAU_WWIDTH_MAX))
$(call step_args,config,$(FOLDING_CONFIG))
$(call step_args,estimate,$(CLK_NS) $(ESTIMATE_REPORTS))

# Printed (without a shell) as a step's recipe starts; build-dataflow follows these lines.
announce = $(info Running step: $(1))
# A step that passes its model on copies it under a temporary name and renames it: a build
# killed during the copy must not leave a truncated model that Make takes as up to date.
# (The tools write their outputs the same way.)
pass_on = cp $< $@.tmp && mv -f $@.tmp $@

$(IM)/step_tidy_up.onnx: $(MODEL) $(ARGS)/model $(BIN)/onnx-tidy
	$(call announce,step_tidy_up)
	$(BIN)/onnx-tidy $< -o $@

$(IM)/step_streamline.onnx: $(IM)/step_tidy_up.onnx $(BIN)/streamline
	$(call announce,step_streamline)
	$(BIN)/streamline $< -o $@

$(IM)/step_convert_to_hls.onnx: $(IM)/step_streamline.onnx $(ARGS)/convert $(BIN)/to-hls
	$(call announce,step_convert_to_hls)
	$(BIN)/to-hls --convert-only $< -o $@ --mem-mode $(MEM_MODE) $(if $(filter 1,$(STANDALONE_THRESHOLDS)),--standalone-thresholds)

# The child model is the step's output; the parent is kept beside it for host execution.
$(IM)/step_create_dataflow_partition.onnx: $(IM)/step_convert_to_hls.onnx $(BIN)/to-hls
	$(call announce,step_create_dataflow_partition)
	$(BIN)/to-hls --partition-only $< -o $(IM)/dataflow_parent.onnx --child $@

$(IM)/step_target_fps_parallelization.onnx: $(IM)/step_create_dataflow_partition.onnx $(ARGS)/fold $(BIN)/fold
	$(call announce,step_target_fps_parallelization)
	$(BIN)/fold $< -o $@ --clk-ns $(CLK_NS) $(if $(TARGET_FPS),--target-fps $(TARGET_FPS) --mvau-wwidth-max $(MVAU_WWIDTH_MAX))

$(IM)/step_apply_folding_config.onnx: $(IM)/step_target_fps_parallelization.onnx $(ARGS)/config $(FOLDING_CONFIG) $(BIN)/fold
	$(call announce,step_apply_folding_config)
	$(BIN)/fold $< -o $@ $(if $(FOLDING_CONFIG),--config $(FOLDING_CONFIG))

$(IM)/step_generate_estimate_reports.onnx: $(IM)/step_apply_folding_config.onnx $(ARGS)/estimate $(BIN)/estimate
	$(call announce,step_generate_estimate_reports)
ifeq ($(ESTIMATE_REPORTS),1)
	$(BIN)/estimate $< --report-dir $(OUT)/report --clk-ns $(CLK_NS) -o $@
else
	$(pass_on)
endif
