#include "tools/timing/end_to_end.h"

#include <algorithm>
#include <cstring>

#include "kernels/bit_matrix.h"
#include "kernels/random.h"

namespace phase_router::bench {

const char* InputName(InputKind kind) {
  switch (kind) {
    case InputKind::kDegrees: return "degrees";
    case InputKind::kBits: return "bits";
    case InputKind::kBytes: return "bytes";
  }
  return "?";
}

std::string Shape::Name() const {
  return std::to_string(M) + "x" + std::to_string(E) + "/k" + std::to_string(k);
}

std::vector<Shape> EndToEndShapes() {
  return {
      {256, 256, 64, false},      {512, 512, 256, false},    {1024, 1024, 256, false},
      {2048, 2048, 512, false},   {4096, 4096, 512, false},  {8192, 8192, 512, false},
      {16384, 16384, 1024, false}, {8192, 64, 2, true},      {65536, 256, 8, true},
      {4096, 4096, 64, true},
  };
}

namespace {

// Row r of a Bernoulli(1/2) matrix with `cols` columns, as packed words.
void BernoulliRow(uint64_t key, size_t r, size_t cols, uint64_t* row) {
  const size_t words = WordsFor(cols);
  for (size_t w = 0; w < words; ++w) row[w] = Draw(key, r * words + w);
  row[words - 1] &= LastWordMask(cols);
}

// Packed rows x cols matrix: Bernoulli(1/2) rows, or rows of the given
// degrees laid out as leading ones (the aligned form) for MoE shapes.
std::vector<uint64_t> MakeBits(const Shape& shape, bool source_side) {
  const size_t rows = source_side ? shape.M : shape.E;
  const size_t cols = source_side ? shape.E : shape.M;
  const size_t words = WordsFor(cols);
  std::vector<uint64_t> m(rows * words, 0);
  if (!shape.moe) {
    const uint64_t key = Mix(source_side ? 0x5EEDull : 0x7A46ull);
    for (size_t r = 0; r < rows; ++r) BernoulliRow(key, r, cols, &m[r * words]);
    return m;
  }
  // MoE: tokens accept every expert; experts take 1.25 * M * k / E tokens.
  const size_t capacity = std::min<size_t>(cols, (shape.M * shape.k * 5 / 4 + shape.E - 1) / shape.E);
  const size_t ones = source_side ? cols : capacity;
  for (size_t r = 0; r < rows; ++r) {
    for (size_t x = 0; x < ones; ++x) SetBit(&m[r * words], x);
  }
  return m;
}

std::vector<uint32_t> RowDegrees(const std::vector<uint64_t>& m, size_t rows, size_t cols) {
  const size_t words = WordsFor(cols);
  std::vector<uint32_t> d(rows);
  for (size_t r = 0; r < rows; ++r) {
    uint32_t c = 0;
    for (size_t w = 0; w < words; ++w) c += static_cast<uint32_t>(__builtin_popcountll(m[r * words + w]));
    d[r] = c;
  }
  return d;
}

std::vector<uint8_t> Unpack(const std::vector<uint64_t>& m, size_t rows, size_t cols) {
  const size_t words = WordsFor(cols);
  std::vector<uint8_t> b(rows * cols);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t x = 0; x < cols; ++x) b[r * cols + x] = GetBit(&m[r * words], x);
  }
  return b;
}

}  // namespace

Inputs MakeInputs(const Shape& shape, InputKind kind) {
  Inputs in;
  in.kind = kind;
  std::vector<uint64_t> s = MakeBits(shape, true), t = MakeBits(shape, false);
  switch (kind) {
    case InputKind::kDegrees:
      in.s = RowDegrees(s, shape.M, shape.E);
      in.t = RowDegrees(t, shape.E, shape.M);
      in.bytes = (in.s.size() + in.t.size()) * sizeof(uint32_t);
      break;
    case InputKind::kBits:
      in.bytes = (s.size() + t.size()) * sizeof(uint64_t);
      in.s_bits = std::move(s);
      in.t_bits = std::move(t);
      break;
    case InputKind::kBytes:
      in.s_bytes = Unpack(s, shape.M, shape.E);
      in.t_bytes = Unpack(t, shape.E, shape.M);
      in.bytes = in.s_bytes.size() + in.t_bytes.size();
      break;
  }
  return in;
}

void RouteCase(Router& router, const Shape& shape, const Inputs& in, const Options& options,
               int32_t* out, Stats* stats) {
  switch (in.kind) {
    case InputKind::kDegrees:
      router.RouteDegrees(in.s, in.t, options, out, stats);
      break;
    case InputKind::kBits:
      router.Route(BitMatrixView{in.s_bits.data(), shape.M, shape.E, 0},
                   BitMatrixView{in.t_bits.data(), shape.E, shape.M, 0}, options, out, stats);
      break;
    case InputKind::kBytes:
      router.Route(ByteMatrixView{in.s_bytes.data(), shape.M, shape.E, 0},
                   ByteMatrixView{in.t_bytes.data(), shape.E, shape.M, 0}, options, out, stats);
      break;
  }
}

size_t TouchedBytes(const Shape& shape, const Inputs& in) {
  return in.bytes + shape.M * shape.k * sizeof(int32_t);
}

MemcpyYardstick::MemcpyYardstick(size_t bytes) : from_(bytes, 1), to_(bytes, 0) {}

void MemcpyYardstick::Run() {
  std::memcpy(to_.data(), from_.data(), from_.size());
  // Keep the copy observable so it is not optimized away.
  asm volatile("" : : "r"(to_.data()) : "memory");
}

}  // namespace phase_router::bench
