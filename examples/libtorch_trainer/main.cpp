// Trains a tiny linear model with libtorch's SGD (momentum, weight decay) under lrcore's
// OneCycleLR for the lr and a CosineAnnealingLR for the weight decay (rising from 0.04 to 0.4),
// each attached in one line, and prints each step's lr, momentum and weight decay as hex floats.
// With a reference file (tests/test_cpp.py writes torch's values for the same run), it compares
// them bit for bit.
//
//   libtorch_trainer [STEPS] [REFERENCE]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <torch/torch.h>

#include <lrcore/lrcore.hpp>
#include <lrcore/torch.hpp>

int main(int argc, char** argv) {
  const int steps = argc > 1 ? std::atoi(argv[1]) : 20;
  torch::manual_seed(0);
  torch::nn::Linear model(4, 1);
  torch::optim::SGD optimizer(model->parameters(),
                              torch::optim::SGDOptions(0.1).momentum(0.9).weight_decay(0.04));
  auto sched = lrcore::attach<lrcore::OneCycleLR>(optimizer, std::vector<double>{0.1}, steps);
  auto wd = lrcore::attach<lrcore::CosineAnnealingLR>(optimizer, lrcore::drive("weight_decay"),
                                                      steps, 0.4);

  const torch::Tensor x = torch::randn({32, 4});
  const torch::Tensor y = x.sum(1, true);
  std::vector<double> got;
  for (int step = 0; step < steps; ++step) {
    const auto& options =
        static_cast<torch::optim::SGDOptions&>(optimizer.param_groups()[0].options());
    got.push_back(options.lr());
    got.push_back(options.momentum());
    got.push_back(options.weight_decay());
    std::printf("step %2d lr %a momentum %a weight_decay %a\n", step, options.lr(),
                options.momentum(), options.weight_decay());
    optimizer.zero_grad();
    torch::Tensor loss = torch::mse_loss(model->forward(x), y);
    loss.backward();
    optimizer.step();
    if (step + 1 < steps) sched->step();
    wd->step();
  }
  if (argc > 2) {
    std::ifstream in(argv[2]);
    std::vector<double> want;
    std::string word;
    while (in >> word) want.push_back(std::strtod(word.c_str(), nullptr));
    if (want.size() != got.size()) {
      std::printf("FAIL: %zu values, torch has %zu\n", got.size(), want.size());
      return 1;
    }
    for (std::size_t i = 0; i < got.size(); ++i)
      if (std::memcmp(&got[i], &want[i], sizeof(double)) != 0) {
        std::printf("FAIL value %zu: C++ %a, torch %a\n", i, got[i], want[i]);
        return 1;
      }
    std::printf("OK: %zu lrs, momenta and weight decays equal torch's\n", got.size());
  }
  return 0;
}
