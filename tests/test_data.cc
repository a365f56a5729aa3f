#include "tests/test_data.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "gtest/gtest.h"

#ifndef PHASE_ROUTER_GOLDEN_DIR
#error "PHASE_ROUTER_GOLDEN_DIR must be defined by the build"
#endif

namespace phase_router_test {

std::string GoldenDir() { return PHASE_ROUTER_GOLDEN_DIR; }

namespace {

bool ReadBitRows(std::istream& in, size_t rows, size_t cols,
                 std::vector<uint8_t>* out, const std::string& what) {
  out->assign(rows * cols, 0);
  std::string line;
  for (size_t r = 0; r < rows; ++r) {
    if (!std::getline(in, line) || line.size() != cols) {
      ADD_FAILURE() << what << " row " << r << " is missing or not " << cols
                    << " characters";
      return false;
    }
    for (size_t c = 0; c < cols; ++c) {
      if (line[c] != '0' && line[c] != '1') {
        ADD_FAILURE() << what << " row " << r << " has '" << line[c] << "'";
        return false;
      }
      (*out)[r * cols + c] = line[c] == '1';
    }
  }
  return true;
}

bool ExpectLine(std::istream& in, const std::string& want) {
  std::string line;
  if (!std::getline(in, line) || line != want) {
    ADD_FAILURE() << "expected a line '" << want << "', got '" << line << "'";
    return false;
  }
  return true;
}

// "M <M> E <E> k <k> seed <seed> align <0|1> row_perm <0|1>
//  select <random|lowest> tiling <auto|on|off>": every key exactly once.
bool ParseHeader(const std::string& line, GoldenCase* out) {
  std::map<std::string, std::string> fields;
  std::istringstream hdr(line);
  std::string key, value;
  while (hdr >> key >> value) {
    if (!fields.emplace(key, value).second) return false;  // repeated key
  }
  static const char* const kKeys[] = {"M",     "E",        "k",      "seed",
                                      "align", "row_perm", "select", "tiling"};
  if (fields.size() != std::size(kKeys)) return false;
  for (const char* k : kKeys) {
    if (fields.count(k) == 0) return false;
  }
  out->M = std::stoull(fields["M"]);
  out->E = std::stoull(fields["E"]);
  out->k = static_cast<uint32_t>(std::stoul(fields["k"]));
  out->seed = std::stoull(fields["seed"]);
  out->align = fields["align"] == "1";
  out->row_perm = fields["row_perm"] == "1";
  out->select = fields["select"];
  out->tiling = fields["tiling"];
  phase_router_ref::RefTiling tiling;
  return out->M != 0 && out->E != 0 && out->k != 0 &&
         (fields["align"] == "0" || fields["align"] == "1") &&
         (fields["row_perm"] == "0" || fields["row_perm"] == "1") &&
         (out->select == "random" || out->select == "lowest") &&
         phase_router_ref::ParseRefTiling(out->tiling, &tiling);
}

}  // namespace

bool ParseGoldenCase(const std::string& path, GoldenCase* out) {
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "cannot open " << path;
    return false;
  }
  out->name = std::filesystem::path(path).filename().string();
  std::string line;
  std::getline(in, line);  // comment
  if (line.empty() || line[0] != '#') {
    ADD_FAILURE() << path << ": first line is not a comment";
    return false;
  }
  std::getline(in, line);
  bool header_ok = false;
  try {
    header_ok = ParseHeader(line, out);
  } catch (const std::exception&) {  // std::stoull on a non-number
    header_ok = false;
  }
  if (!header_ok) {
    ADD_FAILURE() << path << ": bad header '" << line << "'";
    return false;
  }
  if (!ExpectLine(in, "S") || !ReadBitRows(in, out->M, out->E, &out->S, "S") ||
      !ExpectLine(in, "T") || !ReadBitRows(in, out->E, out->M, &out->T, "T") ||
      !ExpectLine(in, "routes")) {
    return false;
  }
  out->routes.assign(out->M * out->k, 0);
  for (size_t r = 0; r < out->M; ++r) {
    if (!std::getline(in, line)) {
      ADD_FAILURE() << path << ": routes row " << r << " missing";
      return false;
    }
    std::istringstream row(line);
    for (size_t n = 0; n < out->k; ++n) {
      long long v;
      if (!(row >> v)) {
        ADD_FAILURE() << path << ": routes row " << r << " too short";
        return false;
      }
      out->routes[r * out->k + n] = static_cast<int32_t>(v);
    }
  }
  return true;
}

std::vector<std::string> GoldenCaseNames() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator(GoldenDir(), ec)) {
    if (entry.path().extension() == ".case") {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

phase_router_ref::Problem ProblemOf(const GoldenCase& c) {
  phase_router_ref::Problem p;
  p.M = c.M;
  p.E = c.E;
  p.S = c.S;
  p.T = c.T;
  p.k = c.k;
  p.seed = c.seed;
  p.align = c.align;
  p.row_perm = c.row_perm;
  p.select_lowest = c.select == "lowest";
  // ParseGoldenCase accepted only names ParseRefTiling knows.
  phase_router_ref::ParseRefTiling(c.tiling, &p.tiling);
  return p;
}

uint64_t Uniform(std::mt19937_64* rng, uint64_t lo, uint64_t hi) {
  return std::uniform_int_distribution<uint64_t>(lo, hi)(*rng);
}

std::vector<uint8_t> RandomMatrix(size_t rows, size_t cols,
                                  std::mt19937_64* rng) {
  std::vector<uint8_t> m(rows * cols, 0);
  for (size_t r = 0; r < rows; ++r) {
    const uint64_t kind = Uniform(rng, 0, 9);
    double p;
    switch (kind) {
      case 0:
        p = 0.0;
        break;  // empty row
      case 1:
        p = 1.0;
        break;  // full row
      case 2:
        p = 1.0 / static_cast<double>(cols);
        break;
      case 3:
        p = 0.95;
        break;
      default:
        p = std::uniform_real_distribution<double>(0.0, 1.0)(*rng);
        break;
    }
    for (size_t c = 0; c < cols; ++c) {
      m[r * cols + c] =
          std::uniform_real_distribution<double>(0.0, 1.0)(*rng) < p ? 1 : 0;
    }
  }
  return m;
}

std::string Describe(const phase_router_ref::Problem& p) {
  std::ostringstream s;
  s << "M=" << p.M << " E=" << p.E << " k=" << p.k << " seed=" << p.seed
    << " align=" << p.align << " row_perm=" << p.row_perm
    << " select=" << (p.select_lowest ? "lowest" : "random")
    << " tiling=" << phase_router_ref::RefTilingName(p.tiling);
  return s.str();
}

}  // namespace phase_router_test
