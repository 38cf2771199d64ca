// step_tidy_up (dialect.md §3.2).
#include "shoal/transforms/transforms.hpp"

namespace shoal {

void tidy_up(Model& m) {
  apply(m, infer_shapes_transform);
  apply(m, [](Model& x) { return fold_constants(x); });
  apply(m, [](Model& x) { return give_unique_node_names(x); });
  apply(m, give_readable_tensor_names);
  apply(m, infer_datatypes);
  apply(m, remove_static_graph_inputs);
}

}  // namespace shoal
