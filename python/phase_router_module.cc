// The `phase_router` Python module: numpy in, numpy out, over the C++ API
// (phase_router.h).
//
// Matrices are read where they lie (no copy): bool or uint8 arrays as byte
// matrices (ByteMatrixView, any row stride, cells contiguous within a row),
// uint64 arrays as packed bit rows (BitMatrixView). The GIL is released
// while the router runs. phase_router::Error becomes phase_router.Error, a
// subclass of ValueError carrying the library's message and a `code`; input
// of the wrong type raises TypeError.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <limits>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "phase_router/phase_router.h"

#ifndef PHASE_ROUTER_VERSION
#error "PHASE_ROUTER_VERSION must be defined by the build (project version)"
#endif

namespace py = pybind11;

namespace phase_router::python {
namespace {

// phase_router.Error (a ValueError); created at import.
PyObject* g_error_type = nullptr;

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadShape:
      return "bad_shape";
    case ErrorCode::kBadDegree:
      return "bad_degree";
    case ErrorCode::kBadOption:
      return "bad_option";
    case ErrorCode::kBadData:
      return "bad_data";
    case ErrorCode::kOutOfMemory:
      return "out_of_memory";
  }
  return "unknown";
}

// ---------------------------------------------------------------- targets

// ForceTarget is process-wide. A call with target=... forces its target for
// the duration of the call under this mutex and then restores what
// force_target() last set (g_forced_target, "" = the default). Calls
// without a target do not take the mutex: one running at the same time may
// run on the other call's target, which changes nothing but its
// stats["backend"] (routes are identical on every target).
std::mutex g_target_mutex;
std::string g_forced_target;

// Holds g_target_mutex and the forced target for one call.
class ScopedTarget {
 public:
  explicit ScopedTarget(const std::optional<std::string>& target) {
    if (!target) return;
    lock_ = std::unique_lock<std::mutex>(g_target_mutex);
    ForceTarget(*target);  // throws, changing nothing, on a bad name
    active_ = true;
  }
  ~ScopedTarget() {
    if (!active_) return;
    try {
      ForceTarget(g_forced_target);
    } catch (const Error&) {  // it was accepted before; cannot happen
    }
  }
  ScopedTarget(const ScopedTarget&) = delete;
  ScopedTarget& operator=(const ScopedTarget&) = delete;

 private:
  std::unique_lock<std::mutex> lock_;
  bool active_ = false;
};

void CheckTargetName(const std::optional<std::string>& target) {
  if (target && target->empty()) {
    throw Error(ErrorCode::kBadOption,
                "target: the target name is empty (use None for the default)");
  }
}

// ---------------------------------------------------------------- options

uint64_t ToUint64(py::handle value, const char* name) {
  if (!PyLong_Check(value.ptr())) {
    throw py::type_error(
        std::string(name) + " must be an int, not " +
        std::string(py::str(py::type::of(value).attr("__name__"))));
  }
  int overflow = 0;
  const long long as_signed =
      PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
  if (overflow == 0 && as_signed < 0) {
    throw Error(ErrorCode::kBadOption,
                std::string(name) + " = " + std::to_string(as_signed) +
                    " is negative; expected 0 to 2^64 - 1");
  }
  if (overflow == 0) return static_cast<uint64_t>(as_signed);
  const unsigned long long as_unsigned = PyLong_AsUnsignedLongLong(value.ptr());
  if (PyErr_Occurred()) {
    PyErr_Clear();
    throw Error(ErrorCode::kBadOption,
                std::string(name) + " = " + std::string(py::str(value)) +
                    " is out of range; expected 0 to 2^64 - 1");
  }
  return as_unsigned;
}

struct Call {
  Options options;
  std::optional<std::string> target;
  bool want_stats = false;
};

Call MakeCall(int64_t k, py::handle seed, bool align, bool row_perm,
              const std::string& select,
              const std::optional<std::string>& target, int threads, bool stats,
              py::handle memory_limit) {
  Call call;
  // Routes are int32 target ids, and so is k; 0 is left to the router.
  if (k < 0 || k > std::numeric_limits<int32_t>::max()) {
    throw Error(ErrorCode::kBadOption,
                "k = " + std::to_string(k) +
                    " is out of range; expected 1 to 2^31 - 1");
  }
  call.options.k = static_cast<uint32_t>(k);
  call.options.seed = ToUint64(seed, "seed");
  call.options.align = align;
  call.options.row_perm = row_perm;
  call.options.select = ParseSelect(select);
  call.options.threads = threads;
  call.options.memory_limit = ToUint64(memory_limit, "memory_limit");
  CheckTargetName(target);
  call.target = target;
  call.want_stats = stats;
  return call;
}

py::dict StatsToDict(const Stats& stats, const Options& options) {
  py::dict stage_ms;  // insertion order = pipeline order
  for (const auto& [name, ms] : stats.stage_ms) stage_ms[py::str(name)] = ms;
  py::dict d;
  d["M"] = stats.M;
  d["E"] = stats.E;
  d["k"] = stats.k;
  d["active_routes"] = stats.active_routes;
  d["fill_ratio"] = stats.fill_ratio;
  d["candidates_min"] = stats.candidates_min;
  d["candidates_mean"] = stats.candidates_mean;
  d["candidates_max"] = stats.candidates_max;
  d["load_max"] = stats.load_max;
  d["load_mean"] = stats.load_mean;
  d["load_skew"] = stats.load_skew;
  d["stage_ms"] = stage_ms;
  d["route_ms"] = stats.route_ms;
  d["backend"] = stats.backend;
  d["seed"] = options.seed;
  d["align"] = options.align;
  d["row_perm"] = options.row_perm;
  d["select"] = SelectName(options.select);
  d["threads"] = options.threads;
  return d;
}

// ---------------------------------------------------------------- inputs

// numpy's NPY_ARRAY_ALIGNED flag (pybind11 names it only in detail::).
constexpr int kAligned = py::detail::npy_api::NPY_ARRAY_ALIGNED_;

std::string DtypeName(const py::array& a) { return py::str(a.dtype()); }

// A 2-D array, as given (numpy arrays as they are, anything else through
// numpy.asarray).
py::array AsArray(py::handle object, const char* name) {
  py::array a = py::array::ensure(object);
  if (!a) {
    PyErr_Clear();
    throw py::type_error(std::string(name) +
                         " must be a numpy array or convertible to one");
  }
  return a;
}

void CheckTwoDimensional(const py::array& a, const char* name) {
  if (a.ndim() != 2) {
    throw Error(ErrorCode::kBadShape,
                std::string(name) + " must be 2-D, but it has " +
                    std::to_string(a.ndim()) + " dimension(s)");
  }
}

// The element stride between rows, in elements of `itemsize` bytes.
size_t RowStride(const py::array& a, const char* name) {
  const size_t rows = static_cast<size_t>(a.shape(0)),
               cols = static_cast<size_t>(a.shape(1));
  const ssize_t itemsize = a.itemsize();
  if (cols > 1 && a.strides(1) != itemsize) {
    throw Error(ErrorCode::kBadData,
                std::string(name) +
                    "'s cells are not contiguous within a row (strides " +
                    std::to_string(a.strides(0)) + ", " +
                    std::to_string(a.strides(1)) + " for " +
                    std::to_string(itemsize) +
                    "-byte items): pass numpy.ascontiguousarray(" + name + ")");
  }
  if (rows <= 1) return cols;
  if (a.strides(0) <= 0 || a.strides(0) % itemsize != 0) {
    throw Error(ErrorCode::kBadData,
                std::string(name) + "'s row stride " +
                    std::to_string(a.strides(0)) +
                    " bytes is not a positive multiple of its " +
                    std::to_string(itemsize) +
                    "-byte items: pass numpy.ascontiguousarray(" + name + ")");
  }
  return static_cast<size_t>(a.strides(0) / itemsize);
}

enum class Layout { kBytes, kBits };

Layout LayoutOf(const py::array& a, const char* name) {
  const char kind = a.dtype().kind();
  const ssize_t size = a.itemsize();
  if ((kind == 'b' || kind == 'u' || kind == 'i') && size == 1)
    return Layout::kBytes;
  // Packed words in this machine's byte order only ('>u8' would be misread).
  if (kind == 'u' && size == 8 && py::array_t<uint64_t>::check_(a))
    return Layout::kBits;
  throw py::type_error(
      std::string(name) + " has dtype " + DtypeName(a) +
      "; expected bool or uint8 (one cell a byte, nonzero = 1) or uint64 "
      "in native byte order (packed rows, see pack_bits)");
}

ByteMatrixView ByteView(const py::array& a, const char* name) {
  CheckTwoDimensional(a, name);
  ByteMatrixView v;
  v.rows = static_cast<size_t>(a.shape(0));
  v.cols = static_cast<size_t>(a.shape(1));
  v.stride = RowStride(a, name);
  v.data = static_cast<const uint8_t*>(a.data());
  return v;
}

// Packed rows: the array is rows x words; `cols` (the bit length of a row)
// comes from the other matrix.
BitMatrixView BitView(const py::array& a, size_t cols, const char* name) {
  CheckTwoDimensional(a, name);
  if (!(a.flags() & kAligned)) {
    throw Error(ErrorCode::kBadData,
                std::string(name) +
                    " is not aligned to 8 bytes: pass numpy.require(" + name +
                    ", requirements='A')");
  }
  BitMatrixView v;
  v.rows = static_cast<size_t>(a.shape(0));
  v.cols = cols;
  v.stride = RowStride(a, name);
  const size_t words = static_cast<size_t>(a.shape(1));
  const size_t needed = (cols + 63) / 64;
  if (words < needed) {
    throw Error(ErrorCode::kBadShape,
                std::string(name) + " has " + std::to_string(words) +
                    " uint64 word(s) a row, but " + std::to_string(cols) +
                    " columns need " + std::to_string(needed));
  }
  v.words = static_cast<const uint64_t*>(a.data());
  return v;
}

// Degree vectors: any 1-D integer array or sequence, as uint32.
std::vector<uint32_t> Degrees(py::handle object, const char* name) {
  py::array a = AsArray(object, name);
  if (a.size() == 0)
    return {};  // numpy.asarray([]) is float64; the router names it
  if (a.ndim() != 1) {
    throw Error(ErrorCode::kBadShape,
                std::string(name) + " must be 1-D, but it has " +
                    std::to_string(a.ndim()) + " dimension(s)");
  }
  const char kind = a.dtype().kind();
  if (kind != 'i' && kind != 'u') {
    throw py::type_error(std::string(name) + " has dtype " + DtypeName(a) +
                         "; expected integers");
  }
  std::vector<uint32_t> d(static_cast<size_t>(a.size()));
  auto store = [&](size_t i, auto value, bool negative) {
    if (negative ||
        static_cast<uint64_t>(value) > std::numeric_limits<uint32_t>::max()) {
      throw Error(ErrorCode::kBadDegree,
                  std::string(name) + "[" + std::to_string(i) +
                      "] = " + std::to_string(value) +
                      " is out of range; degrees are 0 to 2^32 - 1");
    }
    d[i] = static_cast<uint32_t>(value);
  };
  // The converted copy (or the array itself) is held while it is read.
  if (kind == 'u') {
    const auto values = py::array_t<uint64_t, py::array::forcecast>::ensure(a);
    const auto v = values.unchecked<1>();
    for (ssize_t i = 0; i < v.shape(0); ++i)
      store(static_cast<size_t>(i), v(i), false);
  } else {
    const auto values = py::array_t<int64_t, py::array::forcecast>::ensure(a);
    const auto v = values.unchecked<1>();
    for (ssize_t i = 0; i < v.shape(0); ++i)
      store(static_cast<size_t>(i), v(i), v(i) < 0);
  }
  return d;
}

// ---------------------------------------------------------------- output

// The M x k int32 result: `out` if given (C-contiguous, writable, the right
// shape and dtype), else a new array. A new array over the memory ceiling
// is refused before it is allocated, as the library would refuse it.
py::array_t<int32_t> OutputArray(size_t M, const Options& options,
                                 py::handle out) {
  const size_t k = options.k;
  if (!out.is_none()) {
    auto* raw = out.ptr();
    if (!py::isinstance<py::array>(out))
      throw py::type_error("out must be a numpy array");
    py::array a = py::reinterpret_borrow<py::array>(raw);
    if (!py::array_t<int32_t>::check_(a)) {
      throw py::type_error("out has dtype " + DtypeName(a) +
                           "; expected int32");
    }
    if (a.ndim() != 2 || static_cast<size_t>(a.shape(0)) != M ||
        static_cast<size_t>(a.shape(1)) != k) {
      throw Error(ErrorCode::kBadShape, "out must have shape (" +
                                            std::to_string(M) + ", " +
                                            std::to_string(k) + ")");
    }
    if (!(a.flags() & py::array::c_style) || !(a.flags() & kAligned) ||
        !a.writeable()) {
      throw Error(ErrorCode::kBadData,
                  "out must be C-contiguous, aligned and writeable");
    }
    return py::reinterpret_borrow<py::array_t<int32_t>>(raw);
  }
  const uint64_t limit =
      options.memory_limit ? options.memory_limit : DefaultMemoryLimit();
  if (k != 0 && M > limit / sizeof(int32_t) / k) {
    throw Error(ErrorCode::kOutOfMemory,
                "the " + std::to_string(M) + " x " + std::to_string(k) +
                    " routes alone are over the memory limit of " +
                    std::to_string(limit) +
                    " bytes; raise memory_limit to allow them");
  }
  return py::array_t<int32_t>(
      {static_cast<ssize_t>(M), static_cast<ssize_t>(k)});
}

// ---------------------------------------------------------------- routing

// A Router and the mutex that keeps two Python threads (the GIL is released
// while routing) from using it at once.
struct PyRouter {
  Router router;
  std::mutex mutex;
};

py::object Finish(py::array_t<int32_t> routes, const Call& call,
                  const Stats& stats) {
  if (!call.want_stats) return routes;
  return py::make_tuple(std::move(routes), StatsToDict(stats, call.options));
}

// Routes with `run(router, out, stats_or_null)` on `shared` (or on a
// temporary router), without the GIL.
template <class Run>
py::object RunRouting(PyRouter* shared, size_t M, const Call& call,
                      py::handle out, const Run& run) {
  py::array_t<int32_t> routes = OutputArray(M, call.options, out);
  int32_t* data = routes.mutable_data();
  Stats stats;
  {
    py::gil_scoped_release release;
    ScopedTarget target(call.target);
    Stats* stats_out = call.want_stats ? &stats : nullptr;
    if (shared != nullptr) {
      std::lock_guard<std::mutex> lock(shared->mutex);
      run(shared->router, data, stats_out);
    } else {
      Router router;
      run(router, data, stats_out);
    }
  }
  return Finish(std::move(routes), call, stats);
}

py::object RouteMatrices(PyRouter* shared, py::handle S_in, py::handle T_in,
                         const Call& call, py::handle out) {
  const py::array S = AsArray(S_in, "S");
  const py::array T = AsArray(T_in, "T");
  const Layout s_layout = LayoutOf(S, "S"), t_layout = LayoutOf(T, "T");
  if (s_layout != t_layout) {
    throw py::type_error(
        "S has dtype " + DtypeName(S) + " and T has dtype " + DtypeName(T) +
        ": give two byte matrices (bool/uint8) or two packed ones (uint64)");
  }
  CheckTwoDimensional(S, "S");
  CheckTwoDimensional(T, "T");
  if (s_layout == Layout::kBytes) {
    const ByteMatrixView s = ByteView(S, "S"), t = ByteView(T, "T");
    return RunRouting(shared, s.rows, call, out,
                      [&](Router& r, int32_t* o, Stats* st) {
                        r.Route(s, t, call.options, o, st);
                      });
  }
  // Packed: S is M x words(E) and T is E x words(M), so M and E are the row
  // counts.
  const size_t M = static_cast<size_t>(S.shape(0)),
               E = static_cast<size_t>(T.shape(0));
  const BitMatrixView s = BitView(S, E, "S"), t = BitView(T, M, "T");
  return RunRouting(shared, M, call, out,
                    [&](Router& r, int32_t* o, Stats* st) {
                      r.Route(s, t, call.options, o, st);
                    });
}

py::object RouteDegreeVectors(PyRouter* shared, py::handle s_in,
                              py::handle t_in, const Call& call,
                              py::handle out) {
  const std::vector<uint32_t> s = Degrees(s_in, "s");
  const std::vector<uint32_t> t = Degrees(t_in, "t");
  return RunRouting(shared, s.size(), call, out,
                    [&](Router& r, int32_t* o, Stats* st) {
                      r.RouteDegrees(s, t, call.options, o, st);
                    });
}

// ---------------------------------------------------------------- helpers

// Packs a bool/uint8 matrix into uint64 rows, least significant bit first.
py::array_t<uint64_t> PackBits(py::handle A_in) {
  const py::array A = AsArray(A_in, "A");
  if (LayoutOf(A, "A") != Layout::kBytes) {
    throw py::type_error("A has dtype " + DtypeName(A) +
                         "; expected bool or uint8");
  }
  CheckTwoDimensional(A, "A");
  const size_t rows = static_cast<size_t>(A.shape(0)),
               cols = static_cast<size_t>(A.shape(1));
  const size_t words = (cols + 63) / 64;
  py::array_t<uint64_t> packed(
      {static_cast<ssize_t>(rows), static_cast<ssize_t>(words)});
  uint64_t* dst = packed.mutable_data();
  const auto* src = static_cast<const uint8_t*>(A.data());
  const ssize_t row_step = A.strides(0), col_step = A.strides(1);
  {
    py::gil_scoped_release release;
    for (size_t r = 0; r < rows; ++r) {
      uint64_t* row = dst + r * words;
      for (size_t w = 0; w < words; ++w) row[w] = 0;
      const uint8_t* cells = src + static_cast<ssize_t>(r) * row_step;
      for (size_t x = 0; x < cols; ++x) {
        if (cells[static_cast<ssize_t>(x) * col_step] != 0)
          row[x / 64] |= uint64_t{1} << (x % 64);
      }
    }
  }
  return packed;
}

py::dict Targets() {
  std::vector<std::string> compiled, supported;
  std::string chosen;
  {
    // Not during a call with target=..., whose target is temporary.
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(g_target_mutex);
    chosen = ActiveTarget();  // first: a bad PHASE_ROUTER_TARGET raises
    compiled = CompiledTargets();
    supported = SupportedTargets();
  }
  py::dict d;
  d["compiled"] = compiled;
  d["supported"] = supported;
  d["chosen"] = chosen;
  return d;
}

void ForceTargetFromPython(const std::optional<std::string>& name) {
  py::gil_scoped_release
      release;  // a routing with target=... may hold the mutex
  std::lock_guard<std::mutex> lock(g_target_mutex);
  const std::string value = name.value_or("");
  ForceTarget(value);
  g_forced_target = value;
}

constexpr const char* kRouteDoc =
    R"doc(Routes S (M x E) and T (E x M): an M x k int32 array, row i = source i's
target ids ascending, -1 padded (docs/spec.md).

S, T: 2-D bool or uint8 arrays (nonzero = 1), read in place: any row stride,
cells contiguous within a row. Or 2-D uint64 arrays of packed rows (bit x of
a row is bit x % 64 of word x // 64, see pack_bits): S is M x ceil(E/64)
words or more, T is E x ceil(M/64), so M and E are the row counts; bits past
a row's length must be 0.
k: fan-out cap, >= 1. seed: any int in [0, 2^64). align: only the row
degrees matter. row_perm: SPEC step 5. select: "random" or "lowest".
target: a kernel target name for this call (see targets()), None = the
active one. threads: OpenMP threads, 0 = default. memory_limit: bytes, 0 =
the library's default ceiling. out: an optional C-contiguous int32 (M, k)
array to write into. stats: also return the per-call statistics as a dict.
The GIL is released while routing. Raises phase_router.Error (a ValueError)
with the library's message for bad input, TypeError for a wrong type.)doc";

constexpr const char* kRouteDegreesDoc =
    R"doc(Routes from degree vectors: s has M integers each <= E, t has E
integers each <= M. The same routes as route() on matrices with those row
degrees and align=True. Other arguments as for route().)doc";

}  // namespace

void DefineModule(py::module_& m) {
  m.doc() =
      "Phase Router: seed-randomized, deterministic, capped bipartite routing "
      "from "
      "degree-specified binary matrices (see docs/spec.md). route() and "
      "route_degrees() "
      "return an M x k int32 numpy array; stats=True adds the per-call "
      "statistics as a dict.";
  m.attr("__version__") = PHASE_ROUTER_VERSION;

  g_error_type = PyErr_NewExceptionWithDoc(
      "phase_router.Error",
      "Input the router refuses; the message names the bad value, .code says "
      "which kind "
      "(bad_shape, bad_degree, bad_option, bad_data, out_of_memory).",
      PyExc_ValueError, nullptr);
  if (g_error_type == nullptr) throw py::error_already_set();
  m.attr("Error") = py::handle(g_error_type);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      py::object instance = py::handle(g_error_type)(py::str(e.what()));
      instance.attr("code") = ErrorCodeName(e.code());
      PyErr_SetObject(g_error_type, instance.ptr());
    }
  });

  m.def(
      "route",
      [](py::handle S, py::handle T, int64_t k, py::handle seed, bool align,
         bool row_perm, const std::string& select,
         const std::optional<std::string>& target, int threads, bool stats,
         py::handle memory_limit, py::handle out) {
        const Call call = MakeCall(k, seed, align, row_perm, select, target,
                                   threads, stats, memory_limit);
        return RouteMatrices(nullptr, S, T, call, out);
      },
      py::arg("S"), py::arg("T"), py::arg("k"), py::kw_only(),
      py::arg("seed") = 0, py::arg("align") = true, py::arg("row_perm") = false,
      py::arg("select") = "random", py::arg("target") = py::none(),
      py::arg("threads") = 0, py::arg("stats") = false,
      py::arg("memory_limit") = 0, py::arg("out") = py::none(), kRouteDoc);

  m.def(
      "route_degrees",
      [](py::handle s, py::handle t, int64_t k, py::handle seed, bool row_perm,
         const std::string& select, const std::optional<std::string>& target,
         int threads, bool stats, py::handle memory_limit, py::handle out) {
        const Call call = MakeCall(k, seed, true, row_perm, select, target,
                                   threads, stats, memory_limit);
        return RouteDegreeVectors(nullptr, s, t, call, out);
      },
      py::arg("s"), py::arg("t"), py::arg("k"), py::kw_only(),
      py::arg("seed") = 0, py::arg("row_perm") = false,
      py::arg("select") = "random", py::arg("target") = py::none(),
      py::arg("threads") = 0, py::arg("stats") = false,
      py::arg("memory_limit") = 0, py::arg("out") = py::none(),
      kRouteDegreesDoc);

  py::class_<PyRouter>(
      m, "Router",
      "A router that keeps its workspace across calls (buffers grow, never "
      "shrink): reuse one for routings of the same size. Safe to share between "
      "threads (calls on one Router run one at a time).")
      .def(py::init<>())
      .def(
          "route",
          [](PyRouter& self, py::handle S, py::handle T, int64_t k,
             py::handle seed, bool align, bool row_perm,
             const std::string& select,
             const std::optional<std::string>& target, int threads, bool stats,
             py::handle memory_limit, py::handle out) {
            const Call call = MakeCall(k, seed, align, row_perm, select, target,
                                       threads, stats, memory_limit);
            return RouteMatrices(&self, S, T, call, out);
          },
          py::arg("S"), py::arg("T"), py::arg("k"), py::kw_only(),
          py::arg("seed") = 0, py::arg("align") = true,
          py::arg("row_perm") = false, py::arg("select") = "random",
          py::arg("target") = py::none(), py::arg("threads") = 0,
          py::arg("stats") = false, py::arg("memory_limit") = 0,
          py::arg("out") = py::none(), kRouteDoc)
      .def(
          "route_degrees",
          [](PyRouter& self, py::handle s, py::handle t, int64_t k,
             py::handle seed, bool row_perm, const std::string& select,
             const std::optional<std::string>& target, int threads, bool stats,
             py::handle memory_limit, py::handle out) {
            const Call call = MakeCall(k, seed, true, row_perm, select, target,
                                       threads, stats, memory_limit);
            return RouteDegreeVectors(&self, s, t, call, out);
          },
          py::arg("s"), py::arg("t"), py::arg("k"), py::kw_only(),
          py::arg("seed") = 0, py::arg("row_perm") = false,
          py::arg("select") = "random", py::arg("target") = py::none(),
          py::arg("threads") = 0, py::arg("stats") = false,
          py::arg("memory_limit") = 0, py::arg("out") = py::none(),
          kRouteDegreesDoc)
      .def_property_readonly(
          "workspace_bytes",
          [](PyRouter& self) {
            py::gil_scoped_release release;
            std::lock_guard<std::mutex> lock(self.mutex);
            return self.router.workspace_bytes();
          },
          "Bytes held by the workspace.")
      .def("__repr__", [](PyRouter& self) {
        py::gil_scoped_release release;
        std::lock_guard<std::mutex> lock(self.mutex);
        return "<phase_router.Router workspace_bytes=" +
               std::to_string(self.router.workspace_bytes()) + ">";
      });

  m.def(
      "hash_route",
      [](py::handle M_in, py::handle E_in, int64_t k, py::handle seed,
         int threads) {
        Options options;
        const uint64_t M = ToUint64(M_in, "M"), E = ToUint64(E_in, "E");
        if (k < 0 || k > std::numeric_limits<int32_t>::max()) {
          throw Error(ErrorCode::kBadOption,
                      "k = " + std::to_string(k) +
                          " is out of range; expected 1 to 2^31 - 1");
        }
        options.k = static_cast<uint32_t>(k);
        options.seed = ToUint64(seed, "seed");
        options.threads = threads;
        if (M > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
          throw Error(ErrorCode::kBadShape,
                      "M = " + std::to_string(M) + " is too large");
        }
        py::array_t<int32_t> routes = OutputArray(M, options, py::none());
        int32_t* data = routes.mutable_data();
        {
          py::gil_scoped_release release;
          HashRoute(M, E, options, data);
        }
        return routes;
      },
      py::arg("M"), py::arg("E"), py::arg("k"), py::kw_only(),
      py::arg("seed") = 0, py::arg("threads") = 0,
      "The hash-router baseline: per source min(k, E) distinct uniform targets "
      "by hashing "
      "(seed, source), ascending, -1 padded; no degree constraints. An M x k "
      "int32 array.");

  m.def("targets", &Targets,
        "The kernel targets: {'compiled': [...], 'supported': [...], 'chosen': "
        "name}, best "
        "first; 'chosen' honours force_target() and PHASE_ROUTER_TARGET.");
  m.def("force_target", &ForceTargetFromPython, py::arg("name") = py::none(),
        "Forces a kernel target for the whole process (case-insensitive); None "
        "or '' restores "
        "the default. An unknown or unsupported name raises phase_router.Error "
        "and changes "
        "nothing.");
  m.def("pack_bits", &PackBits, py::arg("A"),
        "Packs a 2-D bool/uint8 array (nonzero = 1) into uint64 rows of "
        "ceil(cols/64) words, "
        "bit x of a row in bit x % 64 of word x // 64: the packed input of "
        "route().");
}

}  // namespace phase_router::python

PYBIND11_MODULE(phase_router, m) { phase_router::python::DefineModule(m); }
