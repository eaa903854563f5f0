// Bit-for-bit parity with torch 2.13, against the files tests/test_cpp.py writes into DIR:
//
//   test_parity trajectories DIR   every case of cases.hpp (the per-group ones too), stepped
//                                  STEPS times, must reproduce DIR/NAME.traj (one line per
//                                  step: each group's lr, then get_last_lr(), then momentum/beta1
//                                  where the case cycles it; floats as Python's float.hex());
//                                  plateau cases step on DIR/metrics.txt.
//   test_parity state DIR          torch's state_dict after K steps (DIR/NAME.state.json, with the
//                                  param groups in DIR/NAME.groups.json) loaded into a fresh C++
//                                  scheduler must continue as torch did; and the C++ scheduler's
//                                  own save_state after K steps is written to
//                                  DIR/cpp_out/NAME.state.json for test_cpp.py to load into torch.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <lrcore/lrcore.hpp>

#include "cases.hpp"
#include "trajectory.hpp"

namespace {

using namespace lrcore;
using trajectory::read_file;
using trajectory::read_lines;

constexpr std::size_t kGroups = 3;

std::vector<double> snapshot(const std::string& name, const ParamGroups& g, const LRScheduler& s) {
  std::vector<double> v;
  for (std::size_t i = 0; i < g.size(); ++i) v.push_back(g.lr(i));
  for (double x : s.get_last_lr()) v.push_back(x);
  if (cases::kind_of(name) != MomentumKind::none)
    for (std::size_t i = 0; i < g.size(); ++i) v.push_back(g.momentum(i));
  return v;
}

// Every case, shared arguments and per group (for these, DIR holds torch's runs merged: group g
// from the run built with values[g], and the runs' state dicts as one, with lists).
std::vector<std::string> all_names() {
  std::vector<std::string> names = cases::kNames;
  names.insert(names.end(), cases::kPerGroupNames.begin(), cases::kPerGroupNames.end());
  return names;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Compares one line; prints the first difference.
bool check(const std::string& name, std::size_t step, const std::vector<double>& got,
           const std::vector<double>& want) {
  if (got.size() != want.size()) {
    std::printf("FAIL %s step %zu: %zu values, torch has %zu\n", name.c_str(), step, got.size(),
                want.size());
    return false;
  }
  for (std::size_t i = 0; i < got.size(); ++i)
    if (!same_bits(got[i], want[i])) {
      std::printf("FAIL %s step %zu value %zu: C++ %a (%.17g), torch %a (%.17g)\n", name.c_str(),
                  step, i, got[i], got[i], want[i], want[i]);
      return false;
    }
  return true;
}

int trajectories(const std::string& dir) {
  const auto metrics = read_lines(dir + "/metrics.txt");
  int failures = 0;
  for (const std::string& name : all_names()) {
    const auto want = read_lines(dir + "/" + name + ".traj");
    const std::size_t steps = want.size() - 1;
    ParamGroups g = cases::make_groups(name, kGroups);
    cases::Run run = cases::make(name, g, static_cast<std::int64_t>(steps));
    bool ok = check(name, 0, snapshot(name, g, *run.sched), want[0]);
    for (std::size_t t = 1; ok && t <= steps; ++t) {
      run.step(metrics.at(t - 1).at(0));
      ok = check(name, t, snapshot(name, g, *run.sched), want[t]);
    }
    std::printf("%s %s (%zu steps)\n", ok ? "ok  " : "FAIL", name.c_str(), steps);
    failures += !ok;
  }
  return failures == 0 ? 0 : 1;
}

// The param groups as torch's optimizer holds them after K steps.
void load_groups(ParamGroups& g, const State& groups) {
  const auto& list = groups.list();
  for (std::size_t i = 0; i < list.size(); ++i) {
    const State& d = list[i];
    for (Key key : {Key::lr, Key::initial_lr, Key::momentum, Key::max_lr, Key::min_lr,
                    Key::max_momentum, Key::base_momentum, Key::swa_lr})
      if (const State* v = d.find(key_name(key))) g.set(key, i, v->as_double());
    if (const State* v = d.find("betas")) g.set(Key::beta1, i, v->list().at(0).as_double());
  }
}

int state(const std::string& dir) {
  const auto metrics = read_lines(dir + "/metrics.txt");
  int failures = 0;
  for (const std::string& name : all_names()) {
    const auto want = read_lines(dir + "/" + name + ".traj");
    const std::size_t steps = want.size() - 1;
    const State saved = State::from_json(read_file(dir + "/" + name + ".state.json"));
    const State groups = State::from_json(read_file(dir + "/" + name + ".groups.json"));
    const std::size_t k = static_cast<std::size_t>(groups.at("k").as_int());
    bool ok = true;
    // torch -> C++: a fresh scheduler loads torch's state and continues as torch did.
    {
      ParamGroups g = cases::make_groups(name, kGroups);
      cases::Run run = cases::make(name, g, static_cast<std::int64_t>(steps));
      load_groups(g, groups.at("param_groups"));
      load_state(*run.sched, saved);
      ok = check(name + " (loaded)", k, snapshot(name, g, *run.sched), want[k]);
      for (std::size_t t = k + 1; ok && t <= steps; ++t) {
        run.step(metrics.at(t - 1).at(0));
        ok = check(name + " (loaded)", t, snapshot(name, g, *run.sched), want[t]);
      }
      // The state survives a JSON round trip in C++ unchanged.
      const State mine = save_state(*run.sched);
      if (State::from_json(mine.to_json()) != mine) {
        std::printf("FAIL %s: save_state does not survive to_json/from_json\n", name.c_str());
        ok = false;
      }
    }
    // C++ -> torch: save after K native steps, for test_cpp.py to load into torch.
    {
      ParamGroups g = cases::make_groups(name, kGroups);
      cases::Run run = cases::make(name, g, static_cast<std::int64_t>(steps));
      for (std::size_t t = 1; t <= k; ++t) run.step(metrics.at(t - 1).at(0));
      std::ofstream out(dir + "/cpp_out/" + name + ".state.json");
      out << to_json(save_state(*run.sched)) << "\n";
      if (!out) {
        std::printf("FAIL %s: cannot write cpp_out\n", name.c_str());
        ok = false;
      }
    }
    std::printf("%s %s (state at step %zu)\n", ok ? "ok  " : "FAIL", name.c_str(), k);
    failures += !ok;
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: test_parity trajectories|state DIR\n");
    return 2;
  }
  try {
    const std::string mode = argv[1];
    if (mode == "trajectories") return trajectories(argv[2]);
    if (mode == "state") return state(argv[2]);
  } catch (const std::exception& e) {
    std::printf("FAIL: %s\n", e.what());
    return 1;
  }
  return 2;
}
