// A random driver for the C++ core (gcc has no libFuzzer; this is seeded and time-boxed instead).
//
//   fuzz_core                 run cases for FUZZ_SECONDS seconds (default 5), seeds FUZZ_SEED,
//                             FUZZ_SEED + 1, ... (FUZZ_SEED defaults to the time; it is printed)
//   fuzz_core SEED [-v]       replay one case (-v: print every operation)
//
// Each case builds a random tree of schedulers over random ParamGroups: every class on top;
// SequentialLR and ChainedScheduler holding any class, ReduceLROnPlateau at any position, and
// composites and WarmupLRs nested (nodes down to depth 2); WarmupLR (warmup_steps 0 included, a
// start factor shared or per group, the three shapes, prefix) wrapping any scheduler, plateaus and
// composites included, and as a SequentialLR phase; valid and invalid arguments, arguments that
// may be per group given shared or per group (lists of the wrong length among them). It applies a
// random sequence of operations: the generic step (takes_metric() ? step_metric(metric) : step(),
// NaN and infinite metrics included), the wrong one (step() on a scheduler that takes a metric;
// step_metric on one that does not), ReduceLROnPlateau.step(metric) on a plateau, step(epoch), a
// user setting a group's lr, save_state -> to_json -> from_json -> load_state into a freshly built
// scheduler, a malformed state (one value spoiled anywhere in the tree) loaded into a clone,
// clone(), Simulation (with metrics for a tree that takes them). It checks:
//   - no crash and no undefined behaviour (build under the `asan` preset: ASan + UBSan abort);
//   - an exception is a std::exception, and leaves the scheduler's state and the groups as they
//     were (torch's types, nothing changed); step() on a scheduler that takes a metric throws
//     lrcore::type_error;
//   - a ChainedScheduler asked to chain a WarmupLR with other schedulers, and a WarmupLR with
//     invalid arguments, throw std::invalid_argument and change neither the groups nor the
//     children; takes_metric() and has_warmup() are right for every node;
//   - "twins" (clones, and fresh schedulers that loaded the saved state) receive every later
//     operation too and stay bit-identical to the original: the same lrs, momenta, last lrs, the
//     same save_state, the same exceptions;
//   - a top-level WarmupLR's twin, built over and loaded into groups whose lrs are garbage, has the
//     original's lrs right after load_state (the loaded step's lrs), and keeps in lockstep;
//   - Simulation's rows equal stepping the scheduler itself (an error at the same step, with the
//     same message); the run for the other kind (metrics or not) throws std::invalid_argument; a
//     Simulation changes nothing;
//   - a refused load_state leaves the scheduler and the groups as they were, and stepping what a
//     malformed state loaded into is no undefined behaviour;
//   - save_state survives to_json/from_json;
//   - with "sane" arguments (the ranges a trainer uses) and integer-epoch stepping, every lr and
//     momentum stays finite.
// The one defect of the core that the checks step around, found here and documented in the
// README, is marked KNOWN: a ChainedScheduler's failing step (has_chained). (It also found, and
// no longer steps around, a top-level WarmupLR's load_state writing its last step's lrs over a
// hand-set lr, also on a refused load, and OneCycleLR accepting a state without phases.) Any
// failure prints the seed and the case, and the process exits 1.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <lrcore/lrcore.hpp>

namespace {

using namespace lrcore;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Rng {
  std::mt19937_64 g;
  explicit Rng(std::uint64_t seed) : g(seed) {}
  std::uint64_t below(std::uint64_t n) { return g() % n; }
  bool coin(double p = 0.5) { return std::uniform_real_distribution<double>(0, 1)(g) < p; }
  double uni(double a, double b) { return std::uniform_real_distribution<double>(a, b)(g); }
  std::int64_t in(std::int64_t a, std::int64_t b) {
    return a + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(b - a + 1)));
  }
};

// One case's arguments: drawn sane (what a trainer passes) or, in wild cases, sometimes an edge.
struct Draw {
  Rng& r;
  bool wild;
  std::ostringstream& log;
  bool short_cycle = false;  // a OneCycleLR drawn now ends soon (see make_warmup)
  double d(const char* name, double lo, double hi) {
    static const double edges[] = {0.0, -0.0, -1.0, 1.0, 0.5, 2.0, 1e-300, 1e300, -1e300,
                                   kInf, -kInf, kNaN, 5e-324};
    double v = wild && r.coin(0.3) ? edges[r.below(sizeof edges / sizeof *edges)] : r.uni(lo, hi);
    log << name << "=" << v << " ";
    return v;
  }
  std::int64_t i(const char* name, std::int64_t lo, std::int64_t hi) {
    static const std::int64_t edges[] = {-3, -1, 0, 1, 2, 1000, std::int64_t{1} << 40};
    std::int64_t v = wild && r.coin(0.3) ? edges[r.below(sizeof edges / sizeof *edges)]
                                         : r.in(lo, hi);
    log << name << "=" << v << " ";
    return v;
  }
  std::vector<double> ds(const char* name, std::size_t n, double lo, double hi) {
    std::vector<double> v(r.coin() ? 1 : n);
    if (wild && r.coin(0.1)) v.resize(n + 1);  // the wrong length
    log << name << "=[";
    for (auto& x : v) x = d("", lo, hi);
    log << "] ";
    return v;
  }
  // An argument torch takes as one scalar, which lrcore also takes per group: one value, or n
  // (in wild cases sometimes n + 1: the wrong length).
  template <class T, class One>
  PerGroup<T> per_group(const char* name, std::size_t n, One one) {
    if (r.coin()) return one();
    std::vector<T> v(wild && r.coin(0.1) ? n + 1 : n);
    log << name << "=[";
    for (auto& x : v) x = one();
    log << "] ";
    return v;
  }
  PerGroup<double> pd(const char* name, std::size_t n, double lo, double hi) {
    return per_group<double>(name, n, [&] { return d(name, lo, hi); });
  }
  PerGroup<std::int64_t> pi(const char* name, std::size_t n, std::int64_t lo, std::int64_t hi) {
    return per_group<std::int64_t>(name, n, [&] { return i(name, lo, hi); });
  }
  bool b(const char* name) {
    bool v = r.coin();
    log << name << "=" << v << " ";
    return v;
  }
};

// LambdaLR / MultiplicativeLR functions: pure functions of the epoch, so that rebuilt schedulers
// (which loaded a saved state) compute what the original does.
EpochFunction epoch_function(std::uint64_t which) {
  switch (which % 5) {
    case 0: return [](std::int64_t e) { return std::pow(0.95, static_cast<double>(e)); };
    case 1: return [](std::int64_t e) { return 1.0 / (1.0 + std::fabs(static_cast<double>(e))); };
    case 2: return [](std::int64_t e) { return e < 10 ? 0.5 : 0.1; };
    case 3: return [](std::int64_t) { return 0.97; };
    default: return [](std::int64_t e) { return e % 3 == 0 ? 1.01 : 0.99; };
  }
}

// --- comparisons ------------------------------------------------------------------------------

bool same(double a, double b) {
  if (std::isnan(a) && std::isnan(b)) return true;  // NaN payloads and signs are not promised
  return std::memcmp(&a, &b, sizeof a) == 0;
}

bool same(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!same(a[i], b[i])) return false;
  return true;
}

std::string groups_text(const Groups& g) {
  std::ostringstream out;
  for (int k = 0; k < kNumKeys; ++k) {
    const Key key = static_cast<Key>(k);
    out << key_name(key) << ":";
    for (std::size_t i = 0; i < g.size(); ++i) {
      if (!g.has(key, i)) {
        out << " -";
        continue;
      }
      const double v = g.get(key, i);
      char buf[64];
      std::snprintf(buf, sizeof buf, " %a", std::isnan(v) ? kNaN : v);
      out << buf;
    }
    out << "\n";
  }
  return out.str();
}

// save_state as text, NaN's sign normalized (JSON has one NaN).
std::string state_text(const LRScheduler& s) { return to_json(save_state(s)); }

// A check of the driver failed: never taken for an exception of the core (builders and ops
// rethrow it past their handlers).
struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};
#define CHECK(cond, what)                                                        \
  do {                                                                           \
    if (!(cond)) {                                                               \
      std::ostringstream _m;                                                     \
      _m << what;                                                                \
      throw Failure(std::string(#cond) + ": " + _m.str());                       \
    }                                                                            \
  } while (0)

// --- the tree's shape, found independently of the core's own takes_metric()/has_warmup() -------

std::vector<const LRScheduler*> children_of(const LRScheduler& s) {
  std::vector<const LRScheduler*> out;
  if (auto* q = dynamic_cast<const SequentialLR*>(&s))
    for (const LRScheduler* c : q->schedulers().list) out.push_back(c);
  else if (auto* q = dynamic_cast<const ChainedScheduler*>(&s))
    for (const LRScheduler* c : q->schedulers().list) out.push_back(c);
  else if (auto* w = dynamic_cast<const WarmupLR*>(&s))
    out.push_back(&w->scheduler());
  return out;
}

template <class Node>
bool any_node(const LRScheduler& s) {
  if (dynamic_cast<const Node*>(&s)) return true;
  for (const LRScheduler* c : children_of(s))
    if (any_node<Node>(*c)) return true;
  return false;
}
bool has_plateau(const LRScheduler& s) { return any_node<ReduceLROnPlateau>(s); }
bool has_warmup_node(const LRScheduler& s) { return any_node<WarmupLR>(s); }

// KNOWN (found by this fuzzer, not fixed): ChainedScheduler.step() steps its children one after
// another, so when a later child raises (OneCycleLR past total_steps, a division by zero) the
// earlier ones have already stepped and written the groups, as in torch, although the README
// promises that a failed call leaves everything as it was. Making it transactional needs a
// rollback of every child without allocating per step; until then the "nothing changed" check
// skips schedulers with a ChainedScheduler in them (twins must still agree). A WarmupLR is not
// such a reason by itself: it steps one scheduler, puts the groups back if that step throws, and
// can fail on its own only before it changes anything; so it is atomic exactly when what it wraps
// is, and the search goes through it (a WarmupLR of a ChainedScheduler is not atomic).
bool has_chained(const LRScheduler& s) { return any_node<ChainedScheduler>(s); }

// What the core must answer for every node of a tree: takes_metric() iff a ReduceLROnPlateau is
// inside; has_warmup() iff a WarmupLR is.
void check_tree(const LRScheduler& s) {
  CHECK(s.takes_metric() == has_plateau(s),
        "takes_metric() is " << s.takes_metric() << " for a tree that "
                             << (has_plateau(s) ? "holds" : "holds no") << " ReduceLROnPlateau");
  CHECK(s.has_warmup() == has_warmup_node(s),
        "has_warmup() is " << s.has_warmup() << " for a tree that "
                           << (has_warmup_node(s) ? "holds" : "holds no") << " WarmupLR");
  for (const LRScheduler* c : children_of(s)) check_tree(*c);
}

// --- building random trees ---------------------------------------------------------------------

// A scheduler, rebuilt identically by calling `build` again on other groups.
using Builder = std::function<SchedulerPtr(Groups&)>;

const char* const kClassNames[] = {
    "StepLR",   "MultiStepLR",       "ConstantLR",        "LinearLR",
    "ExponentialLR", "PolynomialLR", "LambdaLR",          "MultiplicativeLR",
    "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR",
    "SWALR",    "ReduceLROnPlateau", "SequentialLR",      "ChainedScheduler", "WarmupLR"};
constexpr int kOneCycle = 11, kPlateau = 13, kSequential = 14, kChained = 15, kWarmup = 16;
constexpr int kNumClasses = 17;

struct Counters {  // what the builders exercised (every build: twins rebuilt included)
  long refused_chains = 0, refused_warmups = 0;
} counters;

// The class of a composite's child or of the scheduler a WarmupLR wraps: any, a ReduceLROnPlateau
// often, composites and WarmupLRs while the tree is shallow (nodes at depth 0..2, leaves to 3).
int child_class(Rng& r, int depth) {
  if (depth < 2 && r.coin(depth == 0 ? 0.3 : 0.15))
    return kSequential + static_cast<int>(r.below(3));
  if (r.coin(0.25)) return kPlateau;
  return static_cast<int>(r.below(kPlateau));
}

Builder make_builder(int cls, Draw& dr, std::size_t n, int depth);

// A ChainedScheduler of `children`. One that would chain a WarmupLR (or a tree holding one) with
// other schedulers must be refused with std::invalid_argument, the groups and the children as they
// were; it is then built without them (or of the first alone), as a user would fix the call.
SchedulerPtr make_chain(Groups& g, const std::vector<SchedulerPtr>& children) {
  bool warmup_inside = false;
  for (const auto& c : children) warmup_inside = warmup_inside || has_warmup_node(*c);
  const bool refuse = children.size() > 1 && warmup_inside;
  const std::string groups_before = groups_text(g);
  std::vector<std::string> states_before;
  for (const auto& c : children) states_before.push_back(state_text(*c));
  try {
    auto chain = std::make_shared<ChainedScheduler>(g, children);
    CHECK(!refuse, "ChainedScheduler accepted a WarmupLR next to other schedulers");
    return chain;
  } catch (const Failure&) {
    throw;
  } catch (const std::invalid_argument& e) {
    if (!refuse) throw;  // no children: the case is rejected
    ++counters.refused_chains;
    CHECK(dynamic_cast<const type_error*>(&e) == nullptr,
          "refusing a WarmupLR in a chain threw a type_error: " << e.what());
    CHECK(groups_text(g) == groups_before,
          "a refused ChainedScheduler changed the groups:\n" << groups_before << "->\n"
                                                             << groups_text(g));
    for (std::size_t i = 0; i < children.size(); ++i)
      CHECK(state_text(*children[i]) == states_before[i],
            "a refused ChainedScheduler changed its child " << i);
    std::vector<SchedulerPtr> kept;
    for (const auto& c : children)
      if (!has_warmup_node(*c)) kept.push_back(c);
    if (kept.empty()) kept.push_back(children.front());
    return std::make_shared<ChainedScheduler>(g, kept);
  }
}

Builder make_children(Draw& dr, std::size_t n, int depth, bool sequential) {
  std::size_t count = static_cast<std::size_t>(dr.r.in(dr.wild ? 0 : 1, 3));
  // Now and then a chain is asked to hold a WarmupLR beside other schedulers.
  std::size_t forced_warmup = count + 1;
  if (!sequential && dr.r.coin(0.15)) {
    count = std::max<std::size_t>(count, 2);
    forced_warmup = static_cast<std::size_t>(dr.r.below(count));
  }
  std::vector<Builder> kids;
  dr.log << "[";
  for (std::size_t k = 0; k < count; ++k) {
    const int cls = k == forced_warmup ? kWarmup : child_class(dr.r, depth);
    dr.log << kClassNames[cls] << "(";
    kids.push_back(make_builder(cls, dr, n, depth + 1));
    dr.log << ") ";
  }
  dr.log << "] ";
  std::vector<std::int64_t> milestones;
  if (sequential) {
    std::int64_t m = 0;
    std::size_t want = count > 0 ? count - 1 : 0;
    if (dr.wild && dr.r.coin(0.1)) want += 1;
    for (std::size_t k = 0; k < want; ++k) {
      m += dr.r.in(dr.wild ? -2 : 0, 20);
      milestones.push_back(m);
    }
    dr.log << "milestones=[";
    for (auto x : milestones) dr.log << x << " ";
    dr.log << "] ";
  }
  return [kids, milestones, sequential](Groups& g) -> SchedulerPtr {
    std::vector<SchedulerPtr> children;
    for (const auto& k : kids) children.push_back(k(g));
    if (sequential) return std::make_shared<SequentialLR>(g, children, milestones);
    return make_chain(g, children);
  };
}

// WarmupLR over a random scheduler: warmup_steps (0 included), a start factor shared or per group
// (in wild cases of the wrong length or outside [0, 1]), the three shapes (wild: an unknown
// name), prefix. A refused one must leave the groups and the wrapped scheduler as they were.
Builder make_warmup(Draw& dr, std::size_t n, int depth) {
  Rng& r = dr.r;
  // A short OneCycleLR often: past its total_steps its step throws, also during the warmup,
  // where the WarmupLR must put back the damped lrs it replaced by the scheduler's own.
  const bool short_cycle = r.coin(0.15);
  const int inner_cls = short_cycle ? kOneCycle : child_class(r, depth);
  dr.log << kClassNames[inner_cls] << "(";
  dr.short_cycle = short_cycle;
  Builder inner = make_builder(inner_cls, dr, n, depth + 1);
  dr.short_cycle = false;
  dr.log << ") ";
  const auto steps = dr.i("warmup_steps", 0, r.coin(0.3) ? 120 : 30);
  const bool per_group = r.coin(0.3);
  std::size_t count = per_group ? n : 1;
  if (dr.wild && r.coin(0.1)) count = per_group && r.coin() ? n - 1 : count + 1;
  std::vector<double> factors(count);
  dr.log << "start_factor" << (per_group ? "_per_group" : "") << "=[";
  for (auto& f : factors) {
    if (r.coin(0.2)) {
      f = 0.0;  // the default, transformers' warmups
      dr.log << "=0 ";
    } else {
      f = dr.d("", 0.0, 1.0);
    }
  }
  dr.log << "] ";
  static const char* const shapes[] = {"linear", "cosine", "1-sqrt"};
  std::string shape = shapes[r.below(3)];
  if (dr.wild && r.coin(0.05)) shape = r.coin() ? "sqrt" : "";
  dr.log << "warmup_type='" << shape << "' ";
  const bool prefix = dr.b("prefix");
  return [=](Groups& g) -> SchedulerPtr {
    SchedulerPtr child = inner(g);
    const std::string groups_before = groups_text(g), child_before = state_text(*child);
    try {
      // shared, or per group (a wrong count given per group, to be refused)
      const PerGroup<double> start = per_group || factors.size() != 1
                                         ? PerGroup<double>(factors)
                                         : PerGroup<double>(factors.front());
      return std::make_shared<WarmupLR>(g, child, steps, start, shape, prefix);
    } catch (const std::invalid_argument& e) {
      ++counters.refused_warmups;
      CHECK(groups_text(g) == groups_before,
            "a refused WarmupLR (" << e.what() << ") changed the groups");
      CHECK(state_text(*child) == child_before,
            "a refused WarmupLR (" << e.what() << ") changed its scheduler");
      throw;
    }
  };
}

Builder make_builder(int cls, Draw& dr, std::size_t n, int depth) {
  Rng& r = dr.r;
  // Mostly a fresh run; sometimes resuming (needs initial_lr in the groups, else key_error).
  const std::int64_t last_epoch = r.coin(0.9) ? -1 : r.in(0, 30);
  if (last_epoch != -1) dr.log << "last_epoch=" << last_epoch << " ";
  switch (cls) {
    case 0: {
      auto step_size = dr.pi("step_size", n, 1, 20);
      auto gamma = dr.pd("gamma", n, 0.1, 1.0);
      return [=](Groups& g) { return std::make_shared<StepLR>(g, step_size, gamma, last_epoch); };
    }
    case 1: {
      std::vector<std::int64_t> ms(r.below(6));
      for (auto& m : ms) m = dr.i("m", 0, 60);
      auto gamma = dr.pd("gamma", n, 0.1, 1.0);
      return [=](Groups& g) {
        return std::make_shared<MultiStepLR>(g, ms, gamma, last_epoch);
      };
    }
    case 2: {
      auto factor = dr.pd("factor", n, 0.0, 1.0);
      auto total = dr.pi("total_iters", n, 0, 30);
      return [=](Groups& g) {
        return std::make_shared<ConstantLR>(g, factor, total, last_epoch);
      };
    }
    case 3: {
      auto start = dr.pd("start_factor", n, 0.01, 1.0);
      auto end = dr.pd("end_factor", n, 0.0, 1.0);
      auto total = dr.pi("total_iters", n, 1, 30);
      return [=](Groups& g) {
        return std::make_shared<LinearLR>(g, start, end, total, last_epoch);
      };
    }
    case 4: {
      auto gamma = dr.pd("gamma", n, 0.8, 1.02);
      return [=](Groups& g) { return std::make_shared<ExponentialLR>(g, gamma, last_epoch); };
    }
    case 5: {
      auto total = dr.pi("total_iters", n, 1, 50);
      auto power = dr.pd("power", n, 0.1, 3.0);
      return [=](Groups& g) {
        return std::make_shared<PolynomialLR>(g, total, power, last_epoch);
      };
    }
    case 6:
    case 7: {
      const std::size_t count = r.coin() ? 1 : (dr.wild && r.coin(0.2) ? n + 1 : n);
      std::vector<std::uint64_t> which(count);
      dr.log << "fns=[";
      for (auto& w : which) dr.log << (w = r.below(5)) << " ";
      dr.log << "] ";
      const bool lambda = cls == 6;
      return [=](Groups& g) -> SchedulerPtr {
        std::vector<EpochFunction> fns;
        for (auto w : which) fns.push_back(epoch_function(w));
        if (lambda) return std::make_shared<LambdaLR>(g, fns, last_epoch);
        return std::make_shared<MultiplicativeLR>(g, fns, last_epoch);
      };
    }
    case 8: {
      // an int (torch's integer period test) or a float, as Python would hold it
      const PerGroup<Num> T_max = dr.per_group<Num>("T_max", n, [&] {
        return r.coin(0.7) ? Num::of_int(dr.i("T_max", 1, 50)) : Num(dr.d("T_max", 0.5, 50.0));
      });
      auto eta_min = dr.pd("eta_min", n, 0.0, 0.01);
      return [=](Groups& g) {
        return std::make_shared<CosineAnnealingLR>(g, T_max, eta_min, last_epoch);
      };
    }
    case 9: {
      auto T_0 = dr.i("T_0", 1, 20);
      auto T_mult = dr.i("T_mult", 1, 3);
      auto eta_min = dr.pd("eta_min", n, 0.0, 0.01);
      return [=](Groups& g) {
        return std::make_shared<CosineAnnealingWarmRestarts>(g, T_0, T_mult, eta_min,
                                                             last_epoch);
      };
    }
    case 10: {
      auto base_lr = dr.ds("base_lr", n, 1e-4, 0.01);
      auto max_lr = dr.ds("max_lr", n, 0.01, 1.0);
      auto up = dr.d("step_size_up", 1.0, 20.0);
      std::optional<double> down;
      if (r.coin()) down = dr.d("step_size_down", 1.0, 20.0);
      static const char* const modes[] = {"triangular", "triangular2", "exp_range", "bogus"};
      std::string mode = modes[r.below(dr.wild ? 4 : 3)];
      dr.log << "mode=" << mode << " ";
      auto gamma = dr.d("gamma", 0.9, 1.0);
      const bool custom = r.coin(0.15);
      std::string scale_mode = r.coin() ? "cycle" : "iterations";
      dr.log << "custom_scale=" << custom << " scale_mode=" << scale_mode << " ";
      auto cycle_momentum = dr.b("cycle_momentum");
      auto base_m = dr.ds("base_momentum", n, 0.7, 0.85);
      auto max_m = dr.ds("max_momentum", n, 0.85, 0.99);
      return [=](Groups& g) {
        ScaleFunction fn = nullptr;
        if (custom) fn = [](std::int64_t x) { return 1.0 / (1.0 + 0.01 * static_cast<double>(x)); };
        return std::make_shared<CyclicLR>(g, base_lr, max_lr, up, down, mode, gamma, fn,
                                          scale_mode, cycle_momentum, base_m, max_m,
                                          last_epoch);
      };
    }
    case 11: {
      auto max_lr = dr.ds("max_lr", n, 0.01, 1.0);
      // Often short, so that a case steps past the end (an error inside composites and warmups).
      auto total = dr.short_cycle || r.coin(0.3) ? dr.i("total_steps", 1, 40)
                                                  : dr.i("total_steps", 1, 300);
      auto pct = dr.d("pct_start", 0.0, 1.0);
      std::string strategy = r.coin() ? "cos" : (dr.wild && r.coin(0.1) ? "bogus" : "linear");
      dr.log << "anneal=" << strategy << " ";
      auto cycle_momentum = dr.b("cycle_momentum");
      auto base_m = dr.ds("base_momentum", n, 0.7, 0.85);
      auto max_m = dr.ds("max_momentum", n, 0.85, 0.99);
      auto div = dr.d("div_factor", 1.0, 50.0);
      auto final_div = dr.d("final_div_factor", 10.0, 1e5);
      auto three = dr.b("three_phase");
      return [=](Groups& g) {
        return std::make_shared<OneCycleLR>(g, max_lr, total, pct, strategy, cycle_momentum,
                                            base_m, max_m, div, final_div, three,
                                            last_epoch);
      };
    }
    case 12: {
      auto swa = dr.ds("swa_lr", n, 1e-3, 0.5);
      auto epochs = dr.i("anneal_epochs", 0, 20);
      std::string strategy = r.coin() ? "cos" : "linear";
      dr.log << "anneal=" << strategy << " ";
      return [=](Groups& g) {
        return std::make_shared<SWALR>(g, swa, epochs, strategy, last_epoch);
      };
    }
    case kPlateau: {
      std::string mode = r.coin() ? "min" : "max";
      auto factor = dr.d("factor", 0.01, 0.99);
      auto patience = dr.i("patience", 0, 5);
      auto threshold = dr.d("threshold", 0.0, 0.1);
      std::string tmode = r.coin() ? "rel" : "abs";
      auto cooldown = dr.i("cooldown", 0, 3);
      const bool as_list = r.coin();
      std::vector<double> min_lr = as_list ? std::vector<double>(n) : std::vector<double>{0.0};
      for (auto& m : min_lr) m = dr.d("min_lr", 0.0, 1e-3);
      auto eps = dr.d("eps", 0.0, 1e-6);
      dr.log << "mode=" << mode << " threshold_mode=" << tmode << " list=" << as_list << " ";
      return [=](Groups& g) {
        auto p = std::make_shared<ReduceLROnPlateau>(g, mode, factor, patience, threshold, tmode,
                                                     cooldown, min_lr, eps, as_list);
        return p;
      };
    }
    case kSequential: return make_children(dr, n, depth, true);
    case kChained: return make_children(dr, n, depth, false);
    default: return make_warmup(dr, n, depth);
  }
}

// A scheduler with its groups: the original, or a twin that must behave identically.
struct Instance {
  std::unique_ptr<ParamGroups> groups;
  std::shared_ptr<LRScheduler> sched;
  ReduceLROnPlateau* plateau = nullptr;  // the scheduler itself, when it is one
  bool original = false;
  std::string origin;
};

ReduceLROnPlateau* as_plateau(LRScheduler* s) { return dynamic_cast<ReduceLROnPlateau*>(s); }

enum class OpKind {
  step,          // the generic step: takes_metric() ? step_metric(x) : step()
  wrong_step,    // the other one: step() on a scheduler that takes the metric (must throw
                 // type_error); step_metric(x) on one that does not (the original only: it must
                 // ignore the metric, the twins step())
  plateau_step,  // ReduceLROnPlateau::step(x) on a top-level plateau
  step_epoch,
  set_lr
};
const char* op_name(OpKind k) {
  switch (k) {
    case OpKind::step: return "step";
    case OpKind::wrong_step: return "wrong_step";
    case OpKind::plateau_step: return "plateau.step";
    case OpKind::step_epoch: return "step_epoch";
    case OpKind::set_lr: return "set_lr";
  }
  return "?";
}
struct Op {
  OpKind kind;
  double x = 0;
  std::size_t group = 0;
};

// Applies op; returns the exception's message ("" when none). Checks that a failing op changed
// nothing.
std::string apply(Instance& in, const Op& op) {
  const bool metric = in.sched->takes_metric();
  const bool must_fail = op.kind == OpKind::wrong_step && metric;
  // step() on a metric-taking scheduler is refused before anything moves, chain or not.
  const bool atomic = must_fail || !has_chained(*in.sched);
  const std::string state_before = state_text(*in.sched);
  const std::string groups_before = groups_text(*in.groups);
  try {
    switch (op.kind) {
      case OpKind::step:
        if (metric) in.sched->step_metric(op.x);
        else in.sched->step();
        break;
      case OpKind::wrong_step:
        if (metric || !in.original) in.sched->step();
        else in.sched->step_metric(op.x);
        break;
      case OpKind::plateau_step:
        in.plateau->step(op.x);
        break;
      case OpKind::step_epoch:
        in.sched->step_epoch(op.x);
        break;
      case OpKind::set_lr:
        in.groups->set_lr(op.group, op.x);
        break;
    }
  } catch (const Failure&) {
    throw;
  } catch (const std::exception& e) {
    if (must_fail)
      CHECK(dynamic_cast<const type_error*>(&e) != nullptr,
            "step() without the metric threw '" << e.what() << "', not lrcore::type_error");
    if (!atomic) return std::string("E:") + e.what();
    CHECK(state_text(*in.sched) == state_before,
          "a failing op (" << e.what() << ") changed the scheduler's state:\n"
                           << state_before << "\n->\n" << state_text(*in.sched));
    CHECK(groups_text(*in.groups) == groups_before,
          "a failing op (" << e.what() << ") changed the groups:\n"
                           << groups_before << "->\n" << groups_text(*in.groups));
    return std::string("E:") + e.what();
  } catch (...) {
    CHECK(false, "an exception that is not a std::exception");
  }
  CHECK(!must_fail, "step() without the metric did not throw, on a scheduler that takes one");
  return "";
}

void compare(const Instance& a, const Instance& b, const char* when) {
  CHECK(groups_text(*a.groups) == groups_text(*b.groups),
        b.origin << " differs from the original " << when << ":\n"
                 << groups_text(*a.groups) << "vs\n" << groups_text(*b.groups));
  CHECK(same(a.sched->get_last_lr(), b.sched->get_last_lr()),
        b.origin << ": last_lr differs " << when);
  CHECK(state_text(*a.sched) == state_text(*b.sched),
        b.origin << ": save_state differs " << when << ":\n"
                 << state_text(*a.sched) << "\nvs\n" << state_text(*b.sched));
}

struct Stats {
  long cases = 0, built = 0, rejected = 0, ops = 0, op_errors = 0, twins = 0, simulations = 0;
  long metric_trees = 0, warmup_trees = 0, nested_plateaus = 0, wrong_steps = 0,
       wrong_simulations = 0, warm_loads = 0, moved_warm_loads = 0, bad_loads = 0,
       refused_bad_loads = 0, moved_bad_loads = 0;
};

// Garbage lrs, as a trainer's optimizer may hold before (or without) loading its own state.
void garbage_lrs(Rng& r, ParamGroups& g, bool finite) {
  for (std::size_t i = 0; i < g.size(); ++i) {
    double v = r.uni(1e-4, 10.0);
    if (!finite && r.coin(0.15)) v = r.coin() ? kNaN : (r.coin() ? kInf : -1.0);
    g.set_lr(i, v);
  }
}

// The dicts of a saved state, its children's included.
void state_dicts(State& s, std::vector<State*>& out) {
  if (s.type() == State::Type::dict) {
    out.push_back(&s);
    std::vector<std::string> keys;
    for (const auto& kv : s.items()) keys.push_back(kv.first);
    for (const auto& k : keys) state_dicts(s[k], out);
  } else if (s.type() == State::Type::list) {
    for (State& item : s.list()) state_dicts(item, out);
  }
}

// A saved state spoiled in one place (any node's, any key): a value of another type or length,
// an out-of-range number, a child state too few. Returns what was done.
std::string corrupt(Rng& r, State& state, std::size_t n) {
  std::vector<State*> dicts;
  state_dicts(state, dicts);
  State& d = *dicts[r.below(dicts.size())];
  if (d.items().empty()) return "nothing";
  const std::string key = d.items()[r.below(d.items().size())].first;
  State& v = d[key];
  const auto how = r.below(8);
  switch (how) {
    case 0: v = State(); break;
    case 1: v = State("bogus"); break;
    case 2: v = State(std::int64_t{-1}); break;
    case 3: v = State(2.5); break;
    case 4: v = State(State::List{}); break;
    case 5: v = State(std::vector<double>(n + 1, 0.5)); break;
    case 6: v = State(kNaN); break;
    default:
      if (v.type() == State::Type::list && !v.list().empty()) v.list().pop_back();
      else v = State(true);
  }
  return key + " #" + std::to_string(how);
}

void run_case_body(Rng& r, std::ostringstream& log, std::uint64_t seed, bool verbose,
                   Stats& stats) {
  const bool wild = r.coin(0.3);
  Draw dr{r, wild, log};
  const std::size_t n = static_cast<std::size_t>(r.in(1, 5));
  const int kind = static_cast<int>(r.below(3));
  std::vector<double> lrs(n);
  for (auto& lr : lrs) lr = wild && r.coin(0.1) ? dr.d("lr", 0, 1) : r.uni(1e-4, 1.0);
  log << "| ";
  auto groups = std::make_unique<ParamGroups>(
      kind == 0 ? ParamGroups(lrs)
                : ParamGroups(lrs, std::vector<double>(n, r.uni(0.5, 0.99)),
                              kind == 1 ? MomentumKind::momentum : MomentumKind::beta1));
  // Every class on top; composites and WarmupLR more often (their trees reach every class).
  const int cls = r.coin(0.6) ? static_cast<int>(r.below(kNumClasses))
                              : kSequential + static_cast<int>(r.below(3));
  log << (wild ? "wild " : "sane ") << n << " groups, kind " << kind << ": " << kClassNames[cls]
      << "(";
  Builder build = make_builder(cls, dr, n, 0);
  log << ")";
  ++stats.cases;
  if (verbose) std::printf("seed %llu: %s\n", static_cast<unsigned long long>(seed), log.str().c_str());

  Instance main;
  main.origin = "original";
  main.original = true;
  try {
    main.sched = build(*groups);
    main.plateau = as_plateau(main.sched.get());
  } catch (const Failure&) {
    throw;
  } catch (const std::exception& e) {
    ++stats.rejected;
    if (verbose) std::printf("  rejected: %s\n", e.what());
    return;
  }
  main.groups = std::move(groups);
  ++stats.built;
  check_tree(*main.sched);
  const bool takes_metric = main.sched->takes_metric();
  auto* const top_warmup = dynamic_cast<WarmupLR*>(main.sched.get());
  stats.metric_trees += takes_metric;
  stats.warmup_trees += has_warmup_node(*main.sched);
  stats.nested_plateaus += takes_metric && !main.plateau;
  std::vector<Instance> twins;
  bool fractional = false;  // step(epoch) with a non-integer epoch (CosineAnnealingWarmRestarts)
  const int num_ops = static_cast<int>(r.in(1, 150));
  for (int t = 0; t < num_ops; ++t) {
    const auto choice = r.below(100);
    if (choice < 6) {  // a twin from the saved state, rebuilt and loaded
      const std::string text = state_text(*main.sched);
      const State back = State::from_json(text);
      CHECK(to_json(back) == text, "save_state does not survive to_json/from_json:\n"
                                       << text << "\nvs\n" << to_json(back));
      // A top-level WarmupLR puts its lrs into the groups when loaded: its twin is built over,
      // and loads into, groups whose lrs are garbage (the rest restored, as by the optimizer).
      const bool garbage = top_warmup && r.coin(0.8);
      Instance twin;
      twin.groups = std::make_unique<ParamGroups>(snapshot(*main.groups));
      if (garbage && r.coin()) garbage_lrs(r, *twin.groups, true);
      try {
        twin.sched = build(*twin.groups);
        twin.plateau = as_plateau(twin.sched.get());
      } catch (const Failure&) {
        throw;
      } catch (const std::exception&) {
        continue;  // the groups as they are now are not a valid start (e.g. a NaN lr)
      }
      *twin.groups = snapshot(*main.groups);  // the trainer restores the optimizer's groups
      if (garbage) garbage_lrs(r, *twin.groups, false);
      load_state(*twin.sched, back);
      twin.origin = std::string(garbage ? "loaded twin over garbage lrs" : "loaded twin") +
                    " (op " + std::to_string(t) + ")";
      if (verbose) std::printf("  op %d: %s\n", t, twin.origin.c_str());
      if (top_warmup) {
        ++stats.warm_loads;
        // The promise: the groups get back the lrs they held when the state was saved (a
        // hand-set lr included), whatever they hold now.
        CHECK(same(twin.groups->lrs(), main.groups->lrs()),
              twin.origin << ": the lrs after load_state are not those the groups held when the "
                             "WarmupLR's state was saved");
        stats.moved_warm_loads += !same(main.groups->lrs(), main.sched->get_last_lr());
      }
      compare(main, twin, "right after loading");
      twins.push_back(std::move(twin));
      ++stats.twins;
    } else if (choice < 11) {  // a clone
      Instance twin;
      twin.groups = std::make_unique<ParamGroups>(snapshot(*main.groups));
      twin.sched = std::shared_ptr<LRScheduler>(main.sched->clone(*twin.groups));
      twin.plateau = as_plateau(twin.sched.get());
      twin.origin = "clone (op " + std::to_string(t) + ")";
      if (verbose) std::printf("  op %d: %s\n", t, twin.origin.c_str());
      check_tree(*twin.sched);
      compare(main, twin, "right after cloning");
      twins.push_back(std::move(twin));
      ++stats.twins;
    } else if (choice < 16) {  // a malformed state, loaded into a clone: refused, or harmless
      Instance victim;
      victim.groups = std::make_unique<ParamGroups>(snapshot(*main.groups));
      victim.sched = std::shared_ptr<LRScheduler>(main.sched->clone(*victim.groups));
      State bad = save_state(*victim.sched);
      const std::string what = corrupt(r, bad, n);
      const std::string state_before = state_text(*victim.sched);
      const ParamGroups groups_before = snapshot(*victim.groups);
      std::string result;
      try {
        load_state(*victim.sched, bad);
      } catch (const std::exception& e) {
        result = e.what();
        CHECK(state_text(*victim.sched) == state_before,
              "a refused load_state (" << what << ": " << e.what()
                                       << ") changed the scheduler:\n" << state_before
                                       << "\n->\n" << state_text(*victim.sched));
        const ParamGroups expected = snapshot(groups_before);
        stats.moved_bad_loads += top_warmup && !same(groups_before.lrs(), victim.sched->get_last_lr());
        CHECK(groups_text(*victim.groups) == groups_text(expected),
              "a refused load_state (" << what << ": " << e.what() << ") changed the groups:\n"
                                       << groups_text(groups_before) << "->\n"
                                       << groups_text(*victim.groups));
      }
      if (verbose)
        std::printf("  op %d: load a malformed state (%s)%s%s\n", t, what.c_str(),
                    result.empty() ? "" : " -> ", result.c_str());
      if (result.empty()) {  // loaded: whatever it holds now, stepping is no UB
        for (int k = 0; k < 3; ++k) {
          try {
            if (victim.sched->takes_metric()) victim.sched->step_metric(0.5);
            else victim.sched->step();
          } catch (const std::exception&) {
          }
        }
      }
      ++stats.bad_loads;
      stats.refused_bad_loads += !result.empty();
    } else if (choice < 18) {  // Simulation == stepping
      const std::size_t k = static_cast<std::size_t>(r.in(0, 20));
      std::vector<double> metrics(k);
      for (auto& m : metrics) m = r.coin(0.05) ? kNaN : (r.coin(0.2) ? 0.5 : r.uni(0, 1));
      const bool wrong = r.coin(0.1);  // the run for the other kind: invalid_argument
      const std::string state_before = state_text(*main.sched);
      const std::string groups_before = groups_text(*main.groups);
      Simulation sim(*main.sched);
      std::vector<double> rows((k + 1) * n);
      bool threw = false;
      std::string sim_error;
      try {
        if (takes_metric != wrong) sim.run(metrics.data(), k, rows.data());
        else sim.run(k, rows.data());
      } catch (const std::invalid_argument& e) {
        CHECK(!wrong || dynamic_cast<const type_error*>(&e) == nullptr,
              "Simulation::run for the wrong kind threw a type_error: " << e.what());
        threw = true;
        sim_error = std::string("E:") + e.what();
      } catch (const std::exception& e) {
        CHECK(!wrong, "Simulation::run for the wrong kind threw, not std::invalid_argument");
        threw = true;
        sim_error = std::string("E:") + e.what();
      }
      CHECK(!wrong || threw, "Simulation::run " << (takes_metric ? "without" : "with")
                                                << " metrics did not throw");
      CHECK(state_text(*main.sched) == state_before, "a Simulation changed the scheduler");
      CHECK(groups_text(*main.groups) == groups_before, "a Simulation changed the groups");
      if (verbose)
        std::printf("  op %d: simulate %zu%s%s%s\n", t, k, wrong ? " (the wrong run)" : "",
                    threw ? " -> " : "", sim_error.c_str());
      ++stats.simulations;
      stats.wrong_simulations += wrong;
      if (!wrong) {
        // The rows are the steps' lrs; a simulation that threw did so at the step that throws.
        CHECK(same(std::vector<double>(rows.begin(), rows.begin() + n), main.groups->lrs()),
              "simulate row 0 differs from the groups");
        bool stepped_into_error = false;
        for (std::size_t j = 1; j <= k && !stepped_into_error; ++j) {
          Op op{OpKind::step, metrics[j - 1]};
          const std::string result = apply(main, op);
          for (auto& tw : twins) {
            CHECK(apply(tw, op) == result, tw.origin << ": a simulated step differs");
            compare(main, tw, "after a simulated step");
          }
          if (!result.empty()) {
            CHECK(result == sim_error, "step " << j << " of a simulation gave '" << result
                                               << "', the simulation '" << sim_error << "'");
            stepped_into_error = true;
          } else {
            CHECK(same(std::vector<double>(rows.begin() + j * n, rows.begin() + (j + 1) * n),
                       main.groups->lrs()),
                  "simulate row " << j << " differs from stepping"
                                  << (threw ? " (the simulation threw '" + sim_error + "')" : ""));
          }
        }
        CHECK(stepped_into_error == threw,
              "the simulation threw '" << sim_error << "', stepping did not");
      }
    } else {
      Op op;
      const auto c = r.below(100);
      if (c < 72) {
        op.kind = main.plateau && r.coin(0.2) ? OpKind::plateau_step : OpKind::step;
      } else if (c < 80) {
        op.kind = OpKind::wrong_step;
      } else if (c < 95) {
        // A scheduler taking the metric refuses every step(epoch): mostly step it instead.
        op.kind = takes_metric && r.coin(0.8) ? OpKind::step : OpKind::step_epoch;
      } else {
        op.kind = OpKind::set_lr;
      }
      if (op.kind == OpKind::step_epoch) {
        op.x = static_cast<double>(r.in(wild ? -3 : 0, 200));
        if (wild && r.coin(0.05)) {  // epochs far out: overflow and float->int conversions
          static const double far[] = {4503599627370496.0, 9007199254740993.0, 1e18,
                                       9.2e18, 1e19, 1e300, kInf, kNaN};
          op.x = far[r.below(sizeof far / sizeof *far)];
        } else if (r.coin(0.1)) {
          op.x += r.uni(0, 1);
          fractional = true;
        }
      } else if (op.kind == OpKind::set_lr) {
        op.group = static_cast<std::size_t>(r.below(n));
        op.x = r.uni(1e-4, 1.0);
      } else {  // a metric (ignored by a scheduler that takes none)
        op.x = r.coin(0.03) ? (r.coin() ? kNaN : (r.coin() ? kInf : -kInf)) : r.uni(0, 1);
        if (takes_metric && r.coin(0.2)) op.x = 0.5;  // a constant metric: reduces
      }
      std::string result = apply(main, op);
      if (verbose)
        std::printf("  op %d: %s(%g)%s%s\n", t, op_name(op.kind), op.x,
                    result.empty() ? "" : " -> ", result.c_str());
      ++stats.ops;
      stats.op_errors += !result.empty();
      stats.wrong_steps += op.kind == OpKind::wrong_step;
      for (auto& tw : twins) {
        const std::string twin_result = apply(tw, op);
        CHECK(twin_result == result, tw.origin << ": the op gave '" << twin_result
                                                << "', the original '" << result << "'");
        compare(main, tw, "after an op");
      }
      if (!wild && !fractional && result.empty()) {
        for (std::size_t g = 0; g < n; ++g) {
          CHECK(std::isfinite(main.groups->lr(g)), "lr of group " << g << " is not finite");
          if (kind != 0 && main.groups->has(kind == 1 ? Key::momentum : Key::beta1, g))
            CHECK(std::isfinite(main.groups->momentum(g)),
                  "momentum of group " << g << " is not finite");
        }
      }
    }
    if (twins.size() > 3) twins.erase(twins.begin());
  }
}

void run_case(std::uint64_t seed, bool verbose, Stats& stats) {
  Rng r(seed);
  std::ostringstream log;
  try {
    run_case_body(r, log, seed, verbose, stats);
  } catch (const Failure& f) {
    std::printf("FAIL seed %llu: %s\n  case: %s\n", static_cast<unsigned long long>(seed),
                f.what(), log.str().c_str());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Stats stats;
  if (argc >= 2) {
    const std::uint64_t seed = std::strtoull(argv[1], nullptr, 10);
    run_case(seed, argc >= 3 && std::strcmp(argv[2], "-v") == 0, stats);
    std::printf("ok seed %llu\n", static_cast<unsigned long long>(seed));
    return 0;
  }
  const char* secs_env = std::getenv("FUZZ_SECONDS");
  const double seconds = secs_env ? std::atof(secs_env) : 5.0;
  const char* seed_env = std::getenv("FUZZ_SEED");
  const std::uint64_t base =
      seed_env ? std::strtoull(seed_env, nullptr, 10)
               : static_cast<std::uint64_t>(
                     std::chrono::system_clock::now().time_since_epoch().count()) % 1000000000;
  std::printf("fuzz_core: seeds from %llu for %g s\n", static_cast<unsigned long long>(base),
              seconds);
  std::fflush(stdout);
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t seed = base;
  while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < seconds)
    run_case(seed++, false, stats);
  std::printf(
      "ok: %ld cases (%ld built, %ld rejected by the constructor), %ld ops (%ld raised, %ld of "
      "the wrong step), %ld twins, %ld simulations (%ld of the wrong kind); seeds %llu..%llu\n"
      "    built: %ld taking a metric (%ld with a ReduceLROnPlateau inside a composite or "
      "WarmupLR), %ld holding a WarmupLR; %ld loads of a top-level WarmupLR (%ld of them after "
      "the groups' lrs had moved); %ld malformed states loaded (%ld refused, %ld of them "
      "with moved lrs); builds: %ld chains refused a WarmupLR, %ld WarmupLRs refused\n",
      stats.cases, stats.built, stats.rejected, stats.ops, stats.op_errors, stats.wrong_steps,
      stats.twins, stats.simulations, stats.wrong_simulations,
      static_cast<unsigned long long>(base), static_cast<unsigned long long>(seed - 1),
      stats.metric_trees, stats.nested_plateaus, stats.warmup_trees, stats.warm_loads,
      stats.moved_warm_loads, stats.bad_loads, stats.refused_bad_loads,
      stats.moved_bad_loads, counters.refused_chains, counters.refused_warmups);
  return 0;
}
