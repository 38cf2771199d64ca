#!/usr/bin/env bats
# scripts/check-layers: libcommon's includes go down the layer list only.

setup() {
  bats_load_library bats-support
  bats_load_library bats-assert
  ROOT="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
  CHECK="$ROOT/scripts/check-layers"
  # A copy of the real tree, to break deliberately.
  LIB="$BATS_TEST_TMPDIR/libcommon"
  cp -r "$ROOT/libcommon" "$LIB"
}

@test "libcommon as committed follows its layers" {
  run "$CHECK" "$ROOT/libcommon"
  assert_success
  assert_output "check-layers: libcommon's includes follow core ops transforms hw targets"
}

@test "a core file that includes a targets header fails, naming file, line and layers" {
  sed -i '1i #include "shoal/targets/boards.hpp"' "$LIB/core/tensor.cpp"
  run "$CHECK" "$LIB"
  assert_failure 1
  assert_line "core/tensor.cpp:1: core includes shoal/targets/boards.hpp of the higher layer targets"
  assert_line "check-layers: 1 include(s) against the layer order core ops transforms hw targets"
}

@test "a public header that includes a higher layer's header fails" {
  sed -i '1i #include <shoal/hw/stitch.hpp>' "$LIB/include/shoal/ops/hw_op.hpp"
  run "$CHECK" "$LIB"
  assert_failure 1
  assert_line "include/shoal/ops/hw_op.hpp:1: ops includes shoal/hw/stitch.hpp of the higher layer hw"
}

@test "a relative include into a higher layer's folder fails" {
  sed -i '1i #include "../targets/synth_internal.hpp"' "$LIB/hw/rtlsim.cpp"
  run "$CHECK" "$LIB"
  assert_failure 1
  assert_line "hw/rtlsim.cpp:1: hw includes ../targets/synth_internal.hpp of the higher layer targets"
}

@test "including a lower layer is fine" {
  sed -i '1i #include "shoal/core/tensor.hpp"' "$LIB/targets/boards.cpp"
  run "$CHECK" "$LIB"
  assert_success
}

@test "a header path without a layer and a file outside the layer folders are refused" {
  sed -i '1i #include "shoal/model.hpp"' "$LIB/ops/matmul.cpp"
  mkdir -p "$LIB/src" && echo 'int x;' > "$LIB/src/stray.cpp"
  run "$CHECK" "$LIB"
  assert_failure 1
  assert_line "ops/matmul.cpp:1: shoal/model.hpp names no layer (shoal/LAYER/NAME.hpp)"
  assert_line "src/stray.cpp: lies in no layer folder (core ops transforms hw targets)"
}

@test "a missing directory is a usage error" {
  run "$CHECK" "$BATS_TEST_TMPDIR/nowhere"
  assert_failure 2
  assert_output --partial "check-layers: error: no directory"
}
