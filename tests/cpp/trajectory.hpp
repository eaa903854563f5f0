// Reading the trajectories tests/test_cpp.py writes (one line per step, each value a float.hex())
// and comparing doubles bit for bit: shared by the C++ tests that check against them.
#pragma once

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace trajectory {

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Each non-empty line's numbers (strtod reads Python's float.hex()).
inline std::vector<std::vector<double>> read_lines(const std::string& path) {
  std::istringstream in(read_file(path));
  std::vector<std::vector<double>> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream words(line);
    std::vector<double> values;
    std::string w;
    while (words >> w) values.push_back(std::strtod(w.c_str(), nullptr));
    lines.push_back(std::move(values));
  }
  return lines;
}

// Bit for bit (NaN payloads and the sign of zero included).
inline bool same(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::memcmp(&a[i], &b[i], sizeof(double)) != 0) return false;
  return true;
}

}  // namespace trajectory
