// A scheduler driving another hyperparameter than the lr (a KeyView over the groups) gives that
// field exactly the values it gives the lr of groups holding the same values, step after step;
// the lr is left alone, and the entries torch names after the lr are named after the key.
#include <cstdint>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <lrcore/lrcore.hpp>

namespace {

using namespace lrcore;

const std::vector<double> kValues = {0.04, 0.02, 0.1};
const double kOtherLr = 0.0123;

using Make = std::function<SchedulerPtr(Groups&)>;

bool same(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

int run(const std::string& name, const std::string& key, const Make& make, int steps) {
  ParamGroups plain(kValues, std::vector<double>(kValues.size(), 0.9), MomentumKind::momentum);
  ParamGroups held(std::vector<double>(kValues.size(), kOtherLr),
                   std::vector<double>(kValues.size(), 0.9), MomentumKind::momentum);
  held.set_field(key, kValues);
  KeyView view(held, key);
  SchedulerPtr a = make(plain);
  SchedulerPtr b = make(view);
  int failures = 0;
  auto check = [&](int step) {
    for (std::size_t g = 0; g < kValues.size(); ++g) {
      const double want = plain.lr(g), got = held.field(key, g);
      if (!same(want, got) || !same(held.lr(g), kOtherLr) ||
          !same(plain.momentum(g), held.momentum(g)) ||
          !same(a->get_last_lr()[g], b->get_last_lr()[g])) {
        std::cerr << name << " [" << key << "] step " << step << " group " << g << ": " << got
                  << " != " << want << "\n";
        ++failures;
      }
    }
  };
  check(0);
  for (int step = 1; step <= steps && failures == 0; ++step) {
    a->step();
    b->step();
    check(step);
  }
  const std::string flat = key == "betas[1]" ? "betas_1" : key;
  if (!held.has_named("initial_" + flat, 0) || held.has(Key::initial_lr, 0)) {
    std::cerr << name << " [" << key << "]: initial_" << flat << " is not where initial_lr was\n";
    ++failures;
  }
  return failures;
}

}  // namespace

int main() {
  const std::vector<std::pair<std::string, Make>> cases = {
      {"StepLR", [](Groups& g) { return std::make_shared<StepLR>(g, 3, 0.5); }},
      {"CosineAnnealingLR",
       [](Groups& g) { return std::make_shared<CosineAnnealingLR>(g, std::int64_t{17}, 0.4); }},
      {"OneCycleLR",
       [](Groups& g) { return std::make_shared<OneCycleLR>(g, std::vector<double>{0.5}, 41); }},
      {"SequentialLR", [](Groups& g) {
         auto warm = std::make_shared<LinearLR>(g, 0.1, 1.0, 5);
         auto decay = std::make_shared<ExponentialLR>(g, 0.9);
         return std::make_shared<SequentialLR>(g, std::vector<SchedulerPtr>{warm, decay},
                                               std::vector<std::int64_t>{5});
       }},
      {"WarmupLR(Cosine)", [](Groups& g) {
         auto c = std::make_shared<CosineAnnealingLR>(g, std::int64_t{30}, 0.001);
         return std::make_shared<WarmupLR>(g, c, 6, 0.1, "cosine");
       }},
  };
  int failures = 0, count = 0;
  for (const auto& key : {std::string("weight_decay"), std::string("betas[1]")})
    for (const auto& [name, make] : cases) {
      try {
        failures += run(name, key, make, 40);
      } catch (const std::exception& e) {
        std::cerr << name << " [" << key << "]: " << e.what() << "\n";
        ++failures;
      }
      ++count;
    }
  std::cout << count << " key cases, " << failures << " failures\n";
  return failures == 0 ? 0 : 1;
}
