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
// Python's json writes them), so values survive bit for bit. The state's keys and values are the
// scheduler's fields, as its describe() lists them; differences from torch's dict are all forced
// by JSON:
// - MultiStepLR's `milestones` (a collections.Counter in torch) is a dict {"epoch": count}, the
//   keys strings, as Python's json writes a Counter; lrcore's load_state_dict takes such a dict
//   back (torch's needs Counter({int(k): v})).
// - Callables are not state (torch saves None for a function/lambda, as here): LambdaLR's
//   `lr_lambdas`, CyclicLR's `_scale_fn_custom` are null; the C++ object keeps its functions.
// - SequentialLR/ChainedScheduler nest their children's dicts in `_schedulers`, as torch does;
//   WarmupLR (lrcore's) nests its scheduler's the same way, a list of one.
// An argument given per group (PerGroup: StepLR's gamma, CosineAnnealingLR's T_max, ...) is saved
// as a list, one value per group; load_state reads a number or such a list. A state with a list
// there is lrcore's own: torch's load_state_dict takes it, but its schedulers cannot step with it.
// Like torch's load_state_dict, loading sets the scheduler's attributes; the param groups (the
// optimizer's state, which holds each group's current lr, initial_lr, momentum...) are restored
// separately, by the trainer (WarmupLR's state also holds the groups' lrs, which it puts back).
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

#include "describe.hpp"
#include "groups.hpp"
#include "pymath.hpp"
#include "scheduler.hpp"

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

inline const char* phase_key_name(Key key) {
  switch (key) {
    case Key::initial_lr: return "initial_lr";
    case Key::max_lr: return "max_lr";
    case Key::min_lr: return "min_lr";
    case Key::max_momentum: return "max_momentum";
    case Key::base_momentum: return "base_momentum";
    default: break;
  }
  throw std::invalid_argument("not a OneCycleLR phase key");
}
inline Key phase_key(const std::string& name) {
  for (Key key : {Key::initial_lr, Key::max_lr, Key::min_lr, Key::max_momentum, Key::base_momentum})
    if (name == phase_key_name(key)) return key;
  throw std::invalid_argument("unknown OneCycleLR phase key '" + name + "'");
}

inline State number_state(const Num& n) {
  // An int beyond int64 (CosineAnnealingWarmRestarts' T_i after a far step(epoch)) has no
  // integer State: it is saved as the float it is held as.
  if (n.integral && n.value >= -9223372036854775808.0 && n.value < 9223372036854775808.0)
    return State(static_cast<std::int64_t>(n.value));
  return State(n.value);
}
inline Num number_from(const State& s) {
  if (s.type() == State::Type::integer) return Num::of_int(s.as_int());
  return Num(s.as_double());
}

template <class T>
State value_state(const T& v) {
  return State(v);
}
inline State value_state(const Num& v) { return number_state(v); }
template <class T>
T value_from(const State& s);
template <>
inline std::int64_t value_from<std::int64_t>(const State& s) {
  return s.as_int();
}
template <>
inline double value_from<double>(const State& s) {
  return s.as_double();
}
template <>
inline Num value_from<Num>(const State& s) {
  return number_from(s);
}

State save_state_of(LRScheduler& scheduler);
void load_state_of(LRScheduler& scheduler, const State& in);

// save_state: each field as the value Python's state_dict holds.
class StateWriter final : public FieldVisitor {
 public:
  explicit StateWriter(const LRScheduler& owner) : owner_(owner) {}
  State out = State::dict();

  void visit(const char* name, std::int64_t& v, const Flags& f) override { put(name, State(v), f); }
  void visit(const char* name, double& v, const Flags& f) override { put(name, State(v), f); }
  void visit(const char* name, Num& v, const Flags& f) override { put(name, number_state(v), f); }
  void visit(const char* name, bool& v, const Flags& f) override { put(name, State(v), f); }
  void visit(const char* name, std::string& v, const Flags& f) override { put(name, State(v), f); }
  void visit(const char* name, std::vector<double>& v, const Flags& f) override {
    put(name, State(v), f);
  }
  void visit(const char* name, std::vector<std::int64_t>& v, const Flags& f) override {
    put(name, State(v), f);
  }
  void visit(const char* name, Counter& v, const Flags& f) override {
    State counts = State::dict();
    for (std::int64_t m : v.elements) {
      State& c = counts[std::to_string(m)];
      c = State(c.is_null() ? std::int64_t{1} : c.as_int() + 1);
    }
    put(name, counts, f);
  }
  void visit(const char* name, std::optional<double>& v, const Flags& f) override {
    put(name, v ? State(*v) : State(), f);
  }
  void visit(const char* name, PerGroup<std::int64_t>& v, const Flags& f) override { per_group(name, v, f); }
  void visit(const char* name, PerGroup<double>& v, const Flags& f) override { per_group(name, v, f); }
  void visit(const char* name, PerGroup<Num>& v, const Flags& f) override { per_group(name, v, f); }
  void visit(const char* name, Phases& v, const Flags& f) override {
    State list{State::List{}};
    for (const Phase& p : v) {
      State phase = State::dict();
      phase["end_step"] = number_state(p.end_step);
      phase["start_lr"] = State(phase_key_name(p.start_lr));
      phase["end_lr"] = State(phase_key_name(p.end_lr));
      phase["start_momentum"] = State(phase_key_name(p.start_momentum));
      phase["end_momentum"] = State(phase_key_name(p.end_momentum));
      list.list().push_back(std::move(phase));
    }
    put(name, list, f);
  }
  void visit(const char* name, Children& v, const Flags& f) override {
    State list{State::List{}};
    for (LRScheduler* child : v.list) list.list().push_back(save_state_of(*child));
    put(name, list, f);
  }
  void visit(const char* name, Lambdas& v, const Flags& f) override {
    put(name, State(State::List(v.functions.size())), f);  // torch saves None for a function
  }
  void visit(const char* name, CustomScale&, const Flags& f) override { put(name, State(), f); }

 private:
  void put(const char* name, State value, const Flags& f) {
    if (!f.state || (f.optional && !owner_.has_field(name))) return;  // not in torch's dict
    out[name] = std::move(value);
  }
  const LRScheduler& owner_;
  template <class T>
  void per_group(const char* name, const PerGroup<T>& v, const Flags& f) {
    if (!v.per_group()) return put(name, value_state(v.value()), f);
    State list{State::List{}};
    for (const T& x : v.values()) list.list().push_back(value_state(x));
    put(name, list, f);
  }
};

// load_state: each field present in the state, as torch's __dict__.update; the others keep
// their values.
class StateReader final : public FieldVisitor {
 public:
  StateReader(const State& in, std::size_t groups) : in_(in), groups_(groups) {
    if (in.type() != State::Type::dict) throw std::invalid_argument("state is not a dict");
  }

  void visit(const char* name, std::int64_t& v, const Flags&) override {
    if (const State* s = in_.find(name)) v = s->as_int();
  }
  void visit(const char* name, double& v, const Flags&) override {
    if (const State* s = in_.find(name)) v = s->as_double();
  }
  void visit(const char* name, Num& v, const Flags&) override {
    if (const State* s = in_.find(name)) v = number_from(*s);
  }
  void visit(const char* name, bool& v, const Flags&) override {
    if (const State* s = in_.find(name)) v = s->as_bool();
  }
  void visit(const char* name, std::string& v, const Flags& f) override {
    const State* s = in_.find(name);
    if (!s) return;
    const std::string& value = s->as_string();
    if (!f.allows(value))
      throw std::invalid_argument(std::string("state '") + name + "' has unknown value '" +
                                  value + "'");
    v = value;
  }
  void visit(const char* name, std::vector<double>& v, const Flags&) override {
    const State* s = in_.find(name);
    if (!s) return;
    std::vector<double> values = s->as_doubles();
    require_groups(name, values.size());
    v = std::move(values);
  }
  void visit(const char* name, std::vector<std::int64_t>& v, const Flags&) override {
    if (const State* s = in_.find(name)) v = s->as_ints();
  }
  void visit(const char* name, Counter& v, const Flags&) override {
    const State* s = in_.find(name);
    if (!s) return;
    std::vector<std::int64_t> elements;
    if (s->type() == State::Type::dict) {  // {"epoch": count}, the keys strings in JSON
      for (const auto& kv : s->items()) {
        const std::int64_t count = kv.second.as_int();
        if (count < 0) throw std::invalid_argument("a milestone has a negative count");
        const std::int64_t m = parse_int(kv.first);
        for (std::int64_t k = 0; k < count; ++k) elements.push_back(m);
      }
    } else {
      elements = s->as_ints();
    }
    std::sort(elements.begin(), elements.end());
    v.elements = std::move(elements);
  }
  void visit(const char* name, std::optional<double>& v, const Flags&) override {
    const State* s = in_.find(name);
    if (!s) return;
    if (s->is_null()) v.reset();
    else v = s->as_double();
  }
  void visit(const char* name, PerGroup<std::int64_t>& v, const Flags&) override { per_group(name, v); }
  void visit(const char* name, PerGroup<double>& v, const Flags&) override { per_group(name, v); }
  void visit(const char* name, PerGroup<Num>& v, const Flags&) override { per_group(name, v); }
  void visit(const char* name, Phases& v, const Flags&) override {
    const State* s = in_.find(name);
    if (!s) return;
    Phases phases;
    for (const State& p : s->list()) {
      phases.push_back({number_from(p.at("end_step")), phase_key(p.at("start_lr").as_string()),
                        phase_key(p.at("end_lr").as_string()),
                        phase_key(p.at("start_momentum").as_string()),
                        phase_key(p.at("end_momentum").as_string())});
    }
    if (phases.empty()) throw std::invalid_argument("state '_schedule_phases' has no phases");
    v = std::move(phases);
  }
  void visit(const char* name, Children& v, const Flags&) override {
    const State* s = in_.find(name);
    if (!s) return;
    const State::List& list = s->list();
    if (list.size() != v.size())
      throw std::invalid_argument("the state has " + std::to_string(list.size()) +
                                  " schedulers, the scheduler has " + std::to_string(v.size()));
    for (std::size_t i = 0; i < list.size(); ++i) load_state_of(v[i], list[i]);
  }
  void visit(const char* name, Lambdas& v, const Flags&) override {
    if (const State* s = in_.find(name))
      if (s->list().size() != v.functions.size())
        throw std::invalid_argument("state 'lr_lambdas' has " + std::to_string(s->list().size()) +
                                    " entries, the scheduler has " +
                                    std::to_string(v.functions.size()) + " lr_lambdas");
  }
  void visit(const char*, CustomScale&, const Flags&) override {}

 private:
  static std::int64_t parse_int(const std::string& text) {
    std::size_t used = 0;
    long long value = 0;
    try {
      value = std::stoll(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != text.size() || text.empty())
      throw std::invalid_argument("milestone '" + text + "' is not an integer");
    return value;
  }
  void require_groups(const char* name, std::size_t size) const {
    if (size != groups_)
      throw std::invalid_argument(std::string("state '") + name + "' has " +
                                  std::to_string(size) + " values, there are " +
                                  std::to_string(groups_) + " param groups");
  }
  template <class T>
  void per_group(const char* name, PerGroup<T>& v) {
    const State* s = in_.find(name);
    if (!s) return;
    if (s->type() != State::Type::list) {
      v = PerGroup<T>(value_from<T>(*s));
      return;
    }
    require_groups(name, s->list().size());
    std::vector<T> values;
    for (const State& x : s->list()) values.push_back(value_from<T>(x));
    v = PerGroup<T>(std::move(values));
  }

  const State& in_;
  std::size_t groups_;
};

inline State save_state_of(LRScheduler& scheduler) {
  scheduler.before_save();
  StateWriter writer(scheduler);
  scheduler.describe(writer);
  return std::move(writer.out);
}

inline void load_state_of(LRScheduler& scheduler, const State& in) {
  StateReader reader(in, scheduler.groups().size());
  scheduler.describe(reader);
  scheduler.after_load();
}

}  // namespace detail

// torch's scheduler.state_dict().
inline State save_state(const LRScheduler& scheduler) {
  // Saving reads the fields; the visitor takes them by reference.
  return detail::save_state_of(const_cast<LRScheduler&>(scheduler));
}

// torch's scheduler.load_state_dict(state): keys absent from `state` keep their values. A state
// that cannot be loaded (a value of the wrong type or length, a child state that does not fit)
// throws, and the scheduler is left as it was.
inline void load_state(LRScheduler& scheduler, const State& in) {
  const State saved = save_state(scheduler);
  try {
    detail::load_state_of(scheduler, in);
  } catch (...) {
    detail::load_state_of(scheduler, saved);
    throw;
  }
}

}  // namespace lrcore
