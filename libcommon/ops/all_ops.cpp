// The list of every op the registry knows; one registration function per op file.
namespace shoal {

void register_elementwise_ops();
void register_matmul_ops();
void register_shape_ops();
void register_nn_ops();
void register_conv_pool_ops();
void register_im2col_op();
void register_maxpool_nhwc_op();
void register_multithreshold_op();
void register_quant_op();
void register_bipolar_quant_op();
void register_trunc_op();
void register_xnor_popcount_matmul_op();
void register_streaming_fc_layer_batch_op();
void register_thresholding_batch_op();
void register_label_select_batch_op();
void register_streaming_dataflow_partition_op();
void register_streaming_fifo_op();
void register_streaming_data_width_converter_batch_op();
void register_down_sampler_op();
void register_convolution_input_generator_op();
void register_fmpadding_batch_op();
void register_streaming_maxpool_batch_op();

void register_builtin_ops() {
  register_elementwise_ops();
  register_matmul_ops();
  register_shape_ops();
  register_nn_ops();
  register_conv_pool_ops();
  register_im2col_op();
  register_maxpool_nhwc_op();
  register_multithreshold_op();
  register_quant_op();
  register_bipolar_quant_op();
  register_trunc_op();
  register_xnor_popcount_matmul_op();
  register_streaming_fc_layer_batch_op();
  register_thresholding_batch_op();
  register_label_select_batch_op();
  register_streaming_dataflow_partition_op();
  register_streaming_fifo_op();
  register_streaming_data_width_converter_batch_op();
  register_down_sampler_op();
  register_convolution_input_generator_op();
  register_fmpadding_batch_op();
  register_streaming_maxpool_batch_op();
}

}  // namespace shoal
