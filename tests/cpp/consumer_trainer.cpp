// A tiny trainer using lrcore as docs/cpp.md shows: shared by the two consumer projects
// (consumer_subdir: add_subdirectory; consumer_installed: find_package after install).
#include <cstdio>
#include <vector>

#include <lrcore/lrcore.hpp>

int main() {
  lrcore::ParamGroups groups(std::vector<double>{0.1, 0.05});
  lrcore::CosineAnnealingLR sched(groups, /*T_max=*/100, /*eta_min=*/0.001);  // initial step, as torch
  double w = 1.0;  // minimize w^2 by SGD
  for (int epoch = 0; epoch < 100; ++epoch) {
    w -= groups.lr(0) * 2 * w;  // optimizer step reads groups.lr(g)
    sched.step();
  }
  std::vector<double> last = sched.get_last_lr();
  lrcore::ReduceLROnPlateau plateau(groups);  // torch's defaults
  for (int epoch = 0; epoch < 20; ++epoch) plateau.step(/*val_loss=*/1.0);
  std::printf("cosine last_lr %.17g %.17g\n", last[0], last[1]);
  std::printf("plateau lr %.17g %.17g w %.17g\n", groups.lr(0), groups.lr(1), w);
  return 0;
}
