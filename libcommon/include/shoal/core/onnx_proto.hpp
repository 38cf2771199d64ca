// ONNX's message classes (onnx::ModelProto, ...), compiled by the build from the onnx.proto
// of libonnx-dev. Include this, never <onnx/onnx_pb.h>: the latter declares the same classes
// for libonnx_proto, which only the onnx-lib helper links.
#pragma once

#include "onnx/onnx.pb.h"
