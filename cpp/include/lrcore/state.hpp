// Saving and restoring a scheduler's state: lrcore::State, torch's state_dict as a plain value.
//
// A State is a JSON-shaped value (null, bool, integer, float, string, list, dict with ordered
// keys). save_state(scheduler) returns the dict torch's `scheduler.state_dict()` returns, with
// the same keys and values; load_state(scheduler, state) is torch's `load_state_dict`.
// to_json()/State::from_json() read and write it as JSON text that Python's `json` module reads
// and writes too, so a state saved in C++ loads into torch (or lrcore's Python classes) and back:
//
//   Python -> C++:  json.dump(sched.state_dict(), f)           ... load_state(s, State::from_json(text))
//   C++ -> Python:  f << to_json(save_state(s));               ... sched.load_state_dict(json.load(f))
//
// Floats are written as Python's repr (the shortest digits that round-trip, "Infinity"/"NaN" as
// Python's json writes them), so values survive bit for bit. Differences from torch's dict, all
// forced by JSON:
// - MultiStepLR's `milestones` (a collections.Counter in torch) is a dict {"epoch": count}, the
//   keys strings: turn it back into Counter({int(k): v}) before torch's load_state_dict.
// - Callables are not state (torch saves None for a function/lambda, as here): LambdaLR's
//   `lr_lambdas`, CyclicLR's `_scale_fn_custom` are null; the C++ object keeps its functions.
// - SequentialLR/ChainedScheduler nest their children's dicts in `_schedulers`, as torch does;
//   WarmupLR (lrcore's) nests its scheduler's the same way, a list of one.
// An argument given per group (PerGroup: StepLR's gamma, CosineAnnealingLR's T_max, ...) is saved
// as a list, one value per group; load_state reads a number or such a list. A state with a list
// there is lrcore's own: torch's load_state_dict takes it, but its schedulers cannot step with it.
// Like torch's load_state_dict, loading sets the scheduler's attributes; the param groups (the
// optimizer's state, which holds each group's current lr, initial_lr, momentum...) are restored
// separately, by the trainer.
#pragma once

#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "composite.hpp"
#include "cosine.hpp"
#include "cyclic.hpp"
#include "multiplicative.hpp"
#include "plateau.hpp"
#include "pymath.hpp"
#include "scheduler.hpp"
#include "swa.hpp"
#include "warmup.hpp"

namespace lrcore {

class State {
 public:
  enum class Type { null, boolean, integer, number, string, list, dict };
  using List = std::vector<State>;
  using Dict = std::vector<std::pair<std::string, State>>;  // keys in insertion order

  State() = default;  // null
  State(std::nullptr_t) {}
  State(bool b) : type_(Type::boolean), b_(b) {}
  State(int i) : type_(Type::integer), i_(i) {}
  State(std::int64_t i) : type_(Type::integer), i_(i) {}
  State(double d) : type_(Type::number), d_(d) {}
  State(const char* s) : type_(Type::string), s_(s) {}
  State(std::string s) : type_(Type::string), s_(std::move(s)) {}
  State(List l) : type_(Type::list), list_(std::move(l)) {}
  State(const std::vector<double>& v) : type_(Type::list) {
    for (double d : v) list_.emplace_back(d);
  }
  State(const std::vector<std::int64_t>& v) : type_(Type::list) {
    for (std::int64_t i : v) list_.emplace_back(i);
  }
  static State dict() {
    State s;
    s.type_ = Type::dict;
    return s;
  }

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::null; }

  // Dict access: operator[] inserts (turning a null into a dict), at() throws key_error.
  State& operator[](const std::string& key) {
    if (type_ == Type::null) type_ = Type::dict;
    require(Type::dict, "a dict");
    for (auto& kv : dict_)
      if (kv.first == key) return kv.second;
    dict_.emplace_back(key, State());
    return dict_.back().second;
  }
  const State* find(const std::string& key) const {
    if (type_ != Type::dict) return nullptr;
    for (const auto& kv : dict_)
      if (kv.first == key) return &kv.second;
    return nullptr;
  }
  bool contains(const std::string& key) const { return find(key) != nullptr; }
  const State& at(const std::string& key) const {
    const State* s = find(key);
    if (!s) throw key_error("state has no '" + key + "'");
    return *s;
  }
  const Dict& items() const { require(Type::dict, "a dict"); return dict_; }
  const List& list() const { require(Type::list, "a list"); return list_; }
  List& list() { require(Type::list, "a list"); return list_; }

  bool as_bool() const { require(Type::boolean, "a bool"); return b_; }
  // A number (integer or float), as double: Python may hold 0 where C++ holds 0.0.
  double as_double() const {
    if (type_ == Type::integer) return static_cast<double>(i_);
    require(Type::number, "a number");
    return d_;
  }
  std::int64_t as_int() const {
    if (type_ == Type::number && d_ == std::floor(d_) && std::isfinite(d_))
      return pymath::to_int64(d_);
    require(Type::integer, "an integer");
    return i_;
  }
  const std::string& as_string() const { require(Type::string, "a string"); return s_; }
  std::vector<double> as_doubles() const {
    std::vector<double> out;
    for (const State& s : list()) out.push_back(s.as_double());
    return out;
  }
  std::vector<std::int64_t> as_ints() const {
    std::vector<std::int64_t> out;
    for (const State& s : list()) out.push_back(s.as_int());
    return out;
  }

  // A float whose value is an integer is stored as one (torch's T_i, T_cur are ints).
  static State integral_if_exact(double d) {
    if (d == std::floor(d) && std::fabs(d) < 9e15) return State(static_cast<std::int64_t>(d));
    return State(d);
  }

  // JSON text, as Python's json.dumps writes it (floats as repr, Infinity/NaN allowed).
  std::string to_json() const {
    std::string out;
    write(out);
    return out;
  }
  static State from_json(const std::string& text) {
    Parser p{text.c_str(), text.c_str() + text.size()};
    State s = p.value();
    p.skip();
    if (p.at != p.end) p.fail("trailing characters");
    return s;
  }

  bool operator==(const State& o) const {
    if (type_ != o.type_) return false;
    switch (type_) {
      case Type::null: return true;
      case Type::boolean: return b_ == o.b_;
      case Type::integer: return i_ == o.i_;
      case Type::number: return std::memcmp(&d_, &o.d_, sizeof d_) == 0;  // bit for bit
      case Type::string: return s_ == o.s_;
      case Type::list: return list_ == o.list_;
      case Type::dict: return dict_ == o.dict_;
    }
    return false;
  }
  bool operator!=(const State& o) const { return !(*this == o); }

 private:
  void require(Type t, const char* what) const {
    if (type_ != t) throw std::invalid_argument(std::string("state value is not ") + what);
  }

  static void write_string(std::string& out, const std::string& s) {
    out += '"';
    for (char c : s) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
          } else {
            out += c;
          }
      }
    }
    out += '"';
  }

  void write(std::string& out) const {
    switch (type_) {
      case Type::null: out += "null"; break;
      case Type::boolean: out += b_ ? "true" : "false"; break;
      case Type::integer: out += std::to_string(i_); break;
      case Type::number:
        if (std::isnan(d_)) out += "NaN";
        else if (std::isinf(d_)) out += d_ > 0 ? "Infinity" : "-Infinity";
        else out += pymath::repr(d_);
        break;
      case Type::string: write_string(out, s_); break;
      case Type::list:
        out += '[';
        for (std::size_t i = 0; i < list_.size(); ++i) {
          if (i) out += ", ";
          list_[i].write(out);
        }
        out += ']';
        break;
      case Type::dict:
        out += '{';
        for (std::size_t i = 0; i < dict_.size(); ++i) {
          if (i) out += ", ";
          write_string(out, dict_[i].first);
          out += ": ";
          dict_[i].second.write(out);
        }
        out += '}';
        break;
    }
  }

  struct Parser {
    const char* at;
    const char* end;
    [[noreturn]] void fail(const char* what) const {
      throw std::invalid_argument(std::string("invalid state JSON: ") + what);
    }
    void skip() {
      while (at != end && (*at == ' ' || *at == '\n' || *at == '\t' || *at == '\r')) ++at;
    }
    bool literal(const char* word) {
      const std::size_t n = std::strlen(word);
      if (static_cast<std::size_t>(end - at) >= n && std::strncmp(at, word, n) == 0) {
        at += n;
        return true;
      }
      return false;
    }
    std::string string() {
      if (at == end || *at != '"') fail("expected a string");
      ++at;
      std::string s;
      while (at != end && *at != '"') {
        char c = *at++;
        if (c == '\\') {
          if (at == end) fail("bad escape");
          c = *at++;
          switch (c) {
            case 'n': s += '\n'; break;
            case 't': s += '\t'; break;
            case 'r': s += '\r'; break;
            case 'b': s += '\b'; break;
            case 'f': s += '\f'; break;
            case 'u': {
              if (end - at < 4) fail("bad \\u escape");
              const unsigned code = static_cast<unsigned>(std::strtoul(std::string(at, 4).c_str(), nullptr, 16));
              at += 4;
              if (code >= 0x80) fail("non-ASCII \\u escapes are not supported");
              s += static_cast<char>(code);
              break;
            }
            default: s += c;
          }
        } else {
          s += c;
        }
      }
      if (at == end) fail("unterminated string");
      ++at;
      return s;
    }
    State value() {
      skip();
      if (at == end) fail("unexpected end");
      if (literal("null")) return State();
      if (literal("true")) return State(true);
      if (literal("false")) return State(false);
      if (literal("NaN")) return State(std::numeric_limits<double>::quiet_NaN());
      if (literal("Infinity")) return State(std::numeric_limits<double>::infinity());
      if (literal("-Infinity")) return State(-std::numeric_limits<double>::infinity());
      if (*at == '"') return State(string());
      if (*at == '[') {
        ++at;
        State s{List{}};
        skip();
        if (at != end && *at == ']') { ++at; return s; }
        for (;;) {
          s.list_.push_back(value());
          skip();
          if (at != end && *at == ',') { ++at; continue; }
          if (at != end && *at == ']') { ++at; return s; }
          fail("expected , or ]");
        }
      }
      if (*at == '{') {
        ++at;
        State s = State::dict();
        skip();
        if (at != end && *at == '}') { ++at; return s; }
        for (;;) {
          skip();
          std::string key = string();
          skip();
          if (at == end || *at != ':') fail("expected :");
          ++at;
          s.dict_.emplace_back(std::move(key), value());
          skip();
          if (at != end && *at == ',') { ++at; continue; }
          if (at != end && *at == '}') { ++at; return s; }
          fail("expected , or }");
        }
      }
      // A number: an integer unless it has a fraction or an exponent (as Python's json).
      const char* start = at;
      bool is_float = false;
      if (at != end && (*at == '-' || *at == '+')) ++at;
      while (at != end && (std::isdigit(static_cast<unsigned char>(*at)) || *at == '.' ||
                           *at == 'e' || *at == 'E' || *at == '-' || *at == '+')) {
        if (*at == '.' || *at == 'e' || *at == 'E') is_float = true;
        ++at;
      }
      if (at == start) fail("unexpected character");
      const std::string token(start, at);
      char* stop = nullptr;
      if (is_float) {
        const double d = std::strtod(token.c_str(), &stop);  // correctly rounded: exact round trip
        if (*stop) fail("bad number");
        return State(d);
      }
      const long long i = std::strtoll(token.c_str(), &stop, 10);
      if (*stop) fail("bad number");
      return State(static_cast<std::int64_t>(i));
    }
  };

  Type type_ = Type::null;
  bool b_ = false;
  std::int64_t i_ = 0;
  double d_ = 0;
  std::string s_;
  List list_;
  Dict dict_;
};

inline std::string to_json(const State& s) { return s.to_json(); }

namespace detail {

inline void save_base(const LRScheduler& s, State& out) {
  out["base_lrs"] = State(s.base_lrs());
  out["last_epoch"] = State(s.last_epoch());
  out["_step_count"] = State(s.step_count());
  out["_is_initial"] = State(s.is_initial());
  out["_get_lr_called_within_step"] = State(s.get_lr_called_within_step());
  out["_last_lr"] = State(s.get_last_lr());
}

inline void load_base(LRScheduler& s, const State& in) {
  if (const State* v = in.find("base_lrs")) s.set_base_lrs(v->as_doubles());
  if (const State* v = in.find("last_epoch")) s.set_last_epoch(v->as_int());
  if (const State* v = in.find("_step_count")) s.set_step_count(v->as_int());
  if (const State* v = in.find("_is_initial")) s.set_is_initial(v->as_bool());
  if (const State* v = in.find("_get_lr_called_within_step"))
    s.set_get_lr_called_within_step(v->as_bool());
  if (const State* v = in.find("_last_lr")) s.set_last_lr(v->as_doubles());
}

inline State nulls(std::size_t n) { return State(State::List(n)); }

// An argument that may be per group: a number when shared (torch's state), else a list.
inline State per_group_state(const PerGroup<double>& v) {
  return v.per_group() ? State(v.values()) : State(v.value());
}
inline State per_group_state(const PerGroup<std::int64_t>& v) {
  return v.per_group() ? State(v.values()) : State(v.value());
}
// CosineAnnealingLR's T_max: an int where it holds one, as torch's (given as an int) does.
inline State integral_if_exact(const PerGroup<double>& v) {
  if (!v.per_group()) return State::integral_if_exact(v.value());
  State out{State::List{}};
  for (double d : v.values()) out.list().push_back(State::integral_if_exact(d));
  return out;
}

inline const char* phase_key_name(Key key) {
  switch (key) {
    case Key::initial_lr: return "initial_lr";
    case Key::max_lr: return "max_lr";
    case Key::min_lr: return "min_lr";
    case Key::max_momentum: return "max_momentum";
    case Key::base_momentum: return "base_momentum";
    default: return key_name(key);
  }
}
// WarmupLR's warmup_type as its state holds it (the names of Python's WarmupLR and WSD).
inline const char* shape_name(schedules::Shape shape) {
  switch (shape) {
    case schedules::Shape::linear: return "linear";
    case schedules::Shape::cosine: return "cosine";
    case schedules::Shape::one_minus_sqrt: return "1-sqrt";
  }
  return "?";
}
inline schedules::Shape shape_named(const std::string& name) {
  for (auto shape : {schedules::Shape::linear, schedules::Shape::cosine,
                     schedules::Shape::one_minus_sqrt})
    if (name == shape_name(shape)) return shape;
  throw std::invalid_argument("unknown warmup_type '" + name +
                              "', expected 'linear', 'cosine' or '1-sqrt'");
}

inline Key phase_key(const std::string& name) {
  for (Key k : {Key::initial_lr, Key::max_lr, Key::min_lr, Key::max_momentum, Key::base_momentum})
    if (name == phase_key_name(k)) return k;
  throw std::invalid_argument("unknown OneCycleLR phase key '" + name + "'");
}

}  // namespace detail

// torch's scheduler.state_dict(), for any lrcore scheduler (dispatching on its class).
inline State save_state(const LRScheduler& scheduler) {
  State out = State::dict();
  const LRScheduler* s = &scheduler;
  if (auto* p = dynamic_cast<const ReduceLROnPlateau*>(s)) {
    // torch's ReduceLROnPlateau keeps its own attributes (no base_lrs, no _step_count).
    out["factor"] = State(p->factor);
    out["default_min_lr"] = p->default_min_lr ? State(*p->default_min_lr) : State();
    out["min_lrs"] = State(p->min_lrs);
    out["patience"] = State(p->patience);
    out["cooldown"] = State(p->cooldown);
    out["eps"] = State(p->eps);
    out["last_epoch"] = State(p->last_epoch());
    out["_last_lr"] = State(p->get_last_lr());
    out["mode_worse"] = State(p->mode_worse);
    out["mode"] = State(p->mode_max ? "max" : "min");
    out["threshold"] = State(p->threshold);
    out["threshold_mode"] = State(p->threshold_abs ? "abs" : "rel");
    out["best"] = State(p->best);
    out["cooldown_counter"] = State(p->cooldown_counter);
    out["num_bad_epochs"] = State(p->num_bad_epochs);
    return out;
  }
  if (auto* p = dynamic_cast<const WarmupLR*>(s)) {
    out["warmup_steps"] = State(p->warmup_steps);
    out["start_factor"] = detail::per_group_state(p->start_factor);
    out["warmup_type"] = State(detail::shape_name(p->warmup_type));
    out["prefix"] = State(p->prefix);
    out["last_epoch"] = State(p->last_epoch());
    out["_step_count"] = State(p->step_count());
    out["_last_lr"] = State(p->get_last_lr());
    out["_group_lrs"] = State(p->group_lrs());
    out["_schedulers"] = State(State::List{save_state(*p->scheduler())});
    return out;
  }
  if (auto* p = dynamic_cast<const SequentialLR*>(s)) {
    out["_milestones"] = State(p->milestones());
    out["last_epoch"] = State(p->last_epoch());
    out["_last_lr"] = State(p->get_last_lr());
    State children{State::List{}};
    for (const auto& child : p->schedulers()) children.list().push_back(save_state(*child));
    out["_schedulers"] = std::move(children);
    return out;
  }
  if (auto* p = dynamic_cast<const ChainedScheduler*>(s)) {
    out["_last_lr"] = State(p->get_last_lr());
    State children{State::List{}};
    for (const auto& child : p->schedulers()) children.list().push_back(save_state(*child));
    out["_schedulers"] = std::move(children);
    return out;
  }
  if (auto* p = dynamic_cast<const StepLR*>(s)) {
    out["step_size"] = detail::per_group_state(p->step_size);
    out["gamma"] = detail::per_group_state(p->gamma);
  } else if (auto* p = dynamic_cast<const MultiStepLR*>(s)) {
    State counter = State::dict();
    for (std::int64_t m : p->milestones()) {
      State& c = counter[std::to_string(m)];
      c = State(c.is_null() ? std::int64_t{1} : c.as_int() + 1);
    }
    out["milestones"] = std::move(counter);
    out["gamma"] = detail::per_group_state(p->gamma);
  } else if (auto* p = dynamic_cast<const ConstantLR*>(s)) {
    out["factor"] = detail::per_group_state(p->factor);
    out["total_iters"] = detail::per_group_state(p->total_iters);
  } else if (auto* p = dynamic_cast<const LinearLR*>(s)) {
    out["start_factor"] = detail::per_group_state(p->start_factor);
    out["end_factor"] = detail::per_group_state(p->end_factor);
    out["total_iters"] = detail::per_group_state(p->total_iters);
  } else if (auto* p = dynamic_cast<const ExponentialLR*>(s)) {
    out["gamma"] = detail::per_group_state(p->gamma);
  } else if (auto* p = dynamic_cast<const PolynomialLR*>(s)) {
    out["total_iters"] = detail::per_group_state(p->total_iters);
    out["power"] = detail::per_group_state(p->power);
  } else if (auto* p = dynamic_cast<const CosineAnnealingLR*>(s)) {
    out["T_max"] = detail::integral_if_exact(p->T_max);
    out["eta_min"] = detail::per_group_state(p->eta_min);
  } else if (auto* p = dynamic_cast<const CosineAnnealingWarmRestarts*>(s)) {
    out["T_0"] = State(p->T_0);
    out["T_i"] = State::integral_if_exact(p->T_i);
    out["T_mult"] = State(p->T_mult);
    out["eta_min"] = detail::per_group_state(p->eta_min);
    out["T_cur"] = State::integral_if_exact(p->T_cur);
  } else if (auto* p = dynamic_cast<const CyclicLR*>(s)) {
    out["max_lrs"] = State(p->max_lrs);
    out["total_size"] = State(p->total_size);
    out["step_ratio"] = State(p->step_ratio);
    out["mode"] = State(p->mode);
    out["gamma"] = State(p->gamma);
    out["scale_mode"] = State(p->scale_mode);
    out["cycle_momentum"] = State(p->cycle_momentum);
    out["use_beta1"] = State(p->use_beta1);
    if (p->cycle_momentum) {  // torch's CyclicLR has these only when it cycles momentum
      out["base_momentums"] = State(p->base_momentums);
      out["max_momentums"] = State(p->max_momentums);
    }
  } else if (auto* p = dynamic_cast<const OneCycleLR*>(s)) {
    out["total_steps"] = State(p->total_steps);
    State phases{State::List{}};
    for (const auto& ph : p->phases) {
      State d = State::dict();
      d["end_step"] = State(ph.end_step);
      d["start_lr"] = State(detail::phase_key_name(ph.start_lr));
      d["end_lr"] = State(detail::phase_key_name(ph.end_lr));
      d["start_momentum"] = State(detail::phase_key_name(ph.start_momentum));
      d["end_momentum"] = State(detail::phase_key_name(ph.end_momentum));
      phases.list().push_back(std::move(d));
    }
    out["_schedule_phases"] = std::move(phases);
    out["_anneal_func_type"] = State(p->anneal_strategy);
    out["cycle_momentum"] = State(p->cycle_momentum);
    out["use_beta1"] = State(p->use_beta1);
  } else if (auto* p = dynamic_cast<const SWALR*>(s)) {
    out["_anneal_strategy"] = State(p->anneal_strategy);
    out["anneal_epochs"] = State(p->anneal_epochs);
  }
  detail::save_base(scheduler, out);
  if (dynamic_cast<const LambdaLR*>(s) || dynamic_cast<const MultiplicativeLR*>(s))
    out["lr_lambdas"] = detail::nulls(scheduler.base_lrs().size());
  if (dynamic_cast<const CyclicLR*>(s)) out["_scale_fn_custom"] = State();
  return out;
}

namespace detail {
inline void load_state_unchecked(LRScheduler& scheduler, const State& in);
}

// torch's scheduler.load_state_dict(state): keys absent from `state` keep their values. A state
// that does not fit (a value of the wrong type, per-group lists of the wrong length, the wrong
// number of child states) throws, and leaves the scheduler (children included) as it was.
// A WarmupLR also puts back the groups' lrs it saved (the lrs they held when save_state was
// called).
inline void load_state(LRScheduler& scheduler, const State& in) {
  const State saved = save_state(scheduler);
  try {
    detail::load_state_unchecked(scheduler, in);
  } catch (...) {
    detail::load_state_unchecked(scheduler, saved);
    throw;
  }
}

inline void detail::load_state_unchecked(LRScheduler& scheduler, const State& in) {
  if (in.type() != State::Type::dict) throw std::invalid_argument("state is not a dict");
  LRScheduler* s = &scheduler;
  const std::size_t n_groups = scheduler.groups().size();
  auto num = [&](const char* key, double& field) {
    if (const State* v = in.find(key)) field = v->as_double();
  };
  auto integer = [&](const char* key, std::int64_t& field) {
    if (const State* v = in.find(key)) field = v->as_int();
  };
  auto boolean = [&](const char* key, bool& field) {
    if (const State* v = in.find(key)) field = v->as_bool();
  };
  auto doubles = [&](const char* key, std::vector<double>& field) {
    if (const State* v = in.find(key)) {
      std::vector<double> values = v->as_doubles();
      if (values.size() != n_groups)
        throw std::invalid_argument(std::string("state '") + key + "' has " +
                                    std::to_string(values.size()) + " values, there are " +
                                    std::to_string(n_groups) + " param groups");
      field = std::move(values);
    }
  };
  // An argument that may be per group: a number, or a list with one per param group.
  auto group_list = [&](const char* key, const State& v) -> const State::List& {
    const State::List& list = v.list();
    if (list.size() != n_groups)
      throw std::invalid_argument(std::string("state '") + key + "' has " +
                                  std::to_string(list.size()) + " values, there are " +
                                  std::to_string(n_groups) + " param groups");
    return list;
  };
  auto num_pg = [&](const char* key, PerGroup<double>& field) {
    const State* v = in.find(key);
    if (!v) return;
    if (v->type() != State::Type::list) {
      field = v->as_double();
      return;
    }
    std::vector<double> values;
    for (const State& x : group_list(key, *v)) values.push_back(x.as_double());
    field = std::move(values);
  };
  auto integer_pg = [&](const char* key, PerGroup<std::int64_t>& field) {
    const State* v = in.find(key);
    if (!v) return;
    if (v->type() != State::Type::list) {
      field = v->as_int();
      return;
    }
    std::vector<std::int64_t> values;
    for (const State& x : group_list(key, *v)) values.push_back(x.as_int());
    field = std::move(values);
  };
  auto string = [&](const char* key, std::string& field) {
    if (const State* v = in.find(key)) field = v->as_string();
  };
  auto children = [&](const std::vector<SchedulerPtr>& kids) {
    if (const State* v = in.find("_schedulers")) {
      const State::List& list = v->list();
      if (list.size() != kids.size())
        throw std::invalid_argument("state has " + std::to_string(list.size()) +
                                    " child schedulers, the scheduler has " +
                                    std::to_string(kids.size()));
      for (std::size_t i = 0; i < kids.size(); ++i) load_state_unchecked(*kids[i], list[i]);
    }
  };
  if (auto* p = dynamic_cast<ReduceLROnPlateau*>(s)) {
    num("factor", p->factor);
    if (const State* v = in.find("default_min_lr"))
      p->default_min_lr = v->is_null() ? std::nullopt : std::optional<double>(v->as_double());
    doubles("min_lrs", p->min_lrs);
    integer("patience", p->patience);
    integer("cooldown", p->cooldown);
    num("eps", p->eps);
    if (const State* v = in.find("last_epoch")) p->set_last_epoch(v->as_int());
    if (in.find("_last_lr")) {
      std::vector<double> last;
      doubles("_last_lr", last);
      p->set_last_lr(std::move(last));
    }
    num("mode_worse", p->mode_worse);
    if (const State* v = in.find("mode")) p->mode_max = v->as_string() == "max";
    num("threshold", p->threshold);
    if (const State* v = in.find("threshold_mode")) p->threshold_abs = v->as_string() == "abs";
    num("best", p->best);
    integer("cooldown_counter", p->cooldown_counter);
    integer("num_bad_epochs", p->num_bad_epochs);
    return;
  }
  auto last_lr = [&](LRScheduler& target) {
    if (in.find("_last_lr")) {
      std::vector<double> last;
      doubles("_last_lr", last);
      target.set_last_lr(std::move(last));
    }
  };
  if (auto* p = dynamic_cast<WarmupLR*>(s)) {
    integer("warmup_steps", p->warmup_steps);
    num_pg("start_factor", p->start_factor);
    if (const State* v = in.find("warmup_type")) p->warmup_type = detail::shape_named(v->as_string());
    boolean("prefix", p->prefix);
    if (const State* v = in.find("last_epoch")) p->set_last_epoch(v->as_int());
    if (const State* v = in.find("_step_count")) p->set_step_count(v->as_int());
    last_lr(*p);
    std::vector<double> group_lrs;
    doubles("_group_lrs", group_lrs);
    children({p->scheduler()});
    p->validate();
    // The groups get back the lrs they held when the state was saved: resuming does not depend
    // on what they hold now (a hand-set lr included), and a refused load, which loads the state
    // saved just before, restores them. (A state is saved at one moment: a WarmupLR inside a
    // composite puts back the same lrs as the whole.)
    if (!group_lrs.empty()) p->sync_groups(group_lrs);
    return;
  }
  if (auto* p = dynamic_cast<SequentialLR*>(s)) {
    if (const State* v = in.find("_milestones")) {
      std::vector<std::int64_t> milestones = v->as_ints();
      if (milestones.size() + 1 != p->schedulers().size())
        throw std::invalid_argument("state '_milestones' needs one milestone fewer than schedulers");
      p->set_milestones(std::move(milestones));
    }
    if (const State* v = in.find("last_epoch")) p->set_last_epoch(v->as_int());
    last_lr(*p);
    children(p->schedulers());
    return;
  }
  if (auto* p = dynamic_cast<ChainedScheduler*>(s)) {
    last_lr(*p);
    children(p->schedulers());
    return;
  }
  if (auto* p = dynamic_cast<StepLR*>(s)) {
    integer_pg("step_size", p->step_size);
    num_pg("gamma", p->gamma);
  } else if (auto* p = dynamic_cast<MultiStepLR*>(s)) {
    if (const State* v = in.find("milestones")) {
      std::vector<std::int64_t> ms;
      for (const auto& kv : v->items())
        for (std::int64_t c = 0; c < kv.second.as_int(); ++c) ms.push_back(std::stoll(kv.first));
      p->set_milestones(std::move(ms));
    }
    num_pg("gamma", p->gamma);
  } else if (auto* p = dynamic_cast<ConstantLR*>(s)) {
    num_pg("factor", p->factor);
    integer_pg("total_iters", p->total_iters);
  } else if (auto* p = dynamic_cast<LinearLR*>(s)) {
    num_pg("start_factor", p->start_factor);
    num_pg("end_factor", p->end_factor);
    integer_pg("total_iters", p->total_iters);
  } else if (auto* p = dynamic_cast<ExponentialLR*>(s)) {
    num_pg("gamma", p->gamma);
  } else if (auto* p = dynamic_cast<PolynomialLR*>(s)) {
    integer_pg("total_iters", p->total_iters);
    num_pg("power", p->power);
  } else if (auto* p = dynamic_cast<CosineAnnealingLR*>(s)) {
    num_pg("T_max", p->T_max);  // T_max_int is not state (torch's is the type of T_max)
    num_pg("eta_min", p->eta_min);
  } else if (auto* p = dynamic_cast<CosineAnnealingWarmRestarts*>(s)) {
    integer("T_0", p->T_0);
    num("T_i", p->T_i);
    integer("T_mult", p->T_mult);
    num_pg("eta_min", p->eta_min);
    num("T_cur", p->T_cur);
  } else if (auto* p = dynamic_cast<CyclicLR*>(s)) {
    doubles("max_lrs", p->max_lrs);
    num("total_size", p->total_size);
    num("step_ratio", p->step_ratio);
    string("mode", p->mode);
    num("gamma", p->gamma);
    string("scale_mode", p->scale_mode);
    boolean("cycle_momentum", p->cycle_momentum);
    boolean("use_beta1", p->use_beta1);
    if (p->cycle_momentum) {
      doubles("base_momentums", p->base_momentums);
      doubles("max_momentums", p->max_momentums);
    }
  } else if (auto* p = dynamic_cast<OneCycleLR*>(s)) {
    integer("total_steps", p->total_steps);
    if (const State* v = in.find("_schedule_phases")) {
      std::vector<OneCycleLR::Phase> phases;
      for (const State& d : v->list())
        phases.push_back({d.at("end_step").as_double(),
                          detail::phase_key(d.at("start_lr").as_string()),
                          detail::phase_key(d.at("end_lr").as_string()),
                          detail::phase_key(d.at("start_momentum").as_string()),
                          detail::phase_key(d.at("end_momentum").as_string())});
      if (phases.empty())
        throw std::invalid_argument("state '_schedule_phases' must hold at least one phase");
      p->phases = std::move(phases);
    }
    string("_anneal_func_type", p->anneal_strategy);
    boolean("cycle_momentum", p->cycle_momentum);
    boolean("use_beta1", p->use_beta1);
  } else if (auto* p = dynamic_cast<SWALR*>(s)) {
    string("_anneal_strategy", p->anneal_strategy);
    integer("anneal_epochs", p->anneal_epochs);
  }
  if (const State* v = in.find("base_lrs"))
    if (v->list().size() != n_groups) throw std::invalid_argument("state 'base_lrs' has the wrong length");
  if (const State* v = in.find("_last_lr"))
    if (v->list().size() != n_groups) throw std::invalid_argument("state '_last_lr' has the wrong length");
  detail::load_base(scheduler, in);
}

}  // namespace lrcore
