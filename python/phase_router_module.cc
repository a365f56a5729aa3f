// phase_router._core, the compiled part of the `phase_router` package
// (python/phase_router/__init__.py re-exports it): numpy in, numpy out, over
// the C++ API (phase_router.h, analysis.h, moe.h). CPU torch.Tensors are
// read and written in place through Tensor.numpy().
//
// Matrices are read where they lie (no copy): bool or uint8 arrays as byte
// matrices (ByteMatrixView, any row stride, cells contiguous within a row),
// uint64 arrays as packed bit rows (BitMatrixView). The GIL is released
// while the router runs. phase_router::Error becomes phase_router.Error, a
// subclass of ValueError carrying the library's message and a `code`; input
// of the wrong type raises TypeError with one line naming the argument
// (every argument is taken as a Python object and converted here).
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

#include "phase_router/analysis.h"
#include "phase_router/moe.h"
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

// An int or anything with __index__ (numpy integers), as a uint64.
uint64_t IndexToUint64(py::handle value, const std::string& name) {
  if (!PyLong_Check(value.ptr()) && PyIndex_Check(value.ptr())) {
    py::object as_int =
        py::reinterpret_steal<py::object>(PyNumber_Index(value.ptr()));
    if (!as_int) throw py::error_already_set();
    return ToUint64(as_int, name.c_str());
  }
  return ToUint64(value, name.c_str());
}

std::string TypeName(py::handle value) {
  return py::str(py::type::of(value).attr("__name__"));
}

// Every argument arrives as a Python object and is converted here, so that
// a wrong type raises TypeError with one line naming the argument (pybind11's
// own conversion would print every signature of the function instead).

// An int or anything with __index__ (numpy integers).
int64_t ToInt64(py::handle value, const std::string& name) {
  if (!PyLong_Check(value.ptr()) && !PyIndex_Check(value.ptr())) {
    throw py::type_error(name + " must be an int, not " + TypeName(value));
  }
  py::object as_int =
      py::reinterpret_steal<py::object>(PyNumber_Index(value.ptr()));
  if (!as_int) throw py::error_already_set();
  int overflow = 0;
  const long long result =
      PyLong_AsLongLongAndOverflow(as_int.ptr(), &overflow);
  if (overflow != 0) {
    throw Error(ErrorCode::kBadOption,
                name + " = " + std::string(py::str(value)) +
                    " is out of range; expected -2^63 to 2^63 - 1");
  }
  return result;
}

// A fan-out cap (k, k_min, ...): an int in [0, 2^31 - 1] (0 is left to the
// library, which names it).
uint32_t ToK(py::handle value, const std::string& name) {
  const int64_t k = ToInt64(value, name);
  if (k < 0 || k > std::numeric_limits<int32_t>::max()) {
    throw Error(ErrorCode::kBadOption,
                name + " = " + std::to_string(k) +
                    " is out of range; expected 1 to 2^31 - 1");
  }
  return static_cast<uint32_t>(k);
}

// threads: an int; the library checks its range (0 to 4096).
int ToThreads(py::handle value) {
  const int64_t threads = ToInt64(value, "threads");
  if (threads < std::numeric_limits<int>::min() ||
      threads > std::numeric_limits<int>::max()) {
    throw Error(ErrorCode::kBadOption,
                "threads = " + std::to_string(threads) +
                    " is out of range; expected 0 (the default) to 4096");
  }
  return static_cast<int>(threads);
}

// True/False or a numpy bool.
bool ToBool(py::handle value, const std::string& name) {
  if (PyBool_Check(value.ptr())) return value.ptr() == Py_True;
  const py::handle type = py::type::of(value);
  if (py::hasattr(type, "__module__") &&
      std::string(py::str(type.attr("__module__"))) == "numpy" &&
      TypeName(value) == "bool_") {
    return PyObject_IsTrue(value.ptr()) == 1;
  }
  throw py::type_error(name + " must be a bool, not " + TypeName(value));
}

std::string ToString(py::handle value, const std::string& name) {
  if (!PyUnicode_Check(value.ptr())) {
    throw py::type_error(name + " must be a str, not " + TypeName(value));
  }
  return py::cast<std::string>(value);
}

std::optional<std::string> ToOptionalString(py::handle value,
                                            const std::string& name) {
  if (value.is_none()) return std::nullopt;
  if (!PyUnicode_Check(value.ptr())) {
    throw py::type_error(name + " must be a str or None, not " +
                         TypeName(value));
  }
  return py::cast<std::string>(value);
}

// A real number: a float, an int, or a numpy scalar of either.
double ToDouble(py::handle value, const std::string& name) {
  PyObject* o = value.ptr();
  const PyNumberMethods* number = Py_TYPE(o)->tp_as_number;
  if (PyUnicode_Check(o) || PyBytes_Check(o) || number == nullptr ||
      (number->nb_float == nullptr && !PyLong_Check(o))) {
    throw py::type_error(name + " must be a number, not " + TypeName(value));
  }
  const double result = PyFloat_AsDouble(o);
  if (PyErr_Occurred()) throw py::error_already_set();
  return result;
}

struct Call {
  Options options;  // row_end is set by RoutedRows once M is known
  std::optional<uint64_t> row_end;  // rows=(begin, end); none = M
  std::optional<std::string> target;
  bool want_stats = false;
};

// rows=None, or (begin, end): a tuple or list of two ints (numpy integers
// too), end None meaning M.
void ParseRows(py::handle rows, Call* call) {
  if (rows.is_none()) return;
  if (!(PyTuple_Check(rows.ptr()) || PyList_Check(rows.ptr())) ||
      py::len(rows) != 2) {
    throw py::type_error(
        "rows must be None or a pair (begin, end) of ints, end None meaning "
        "M; not " +
        std::string(py::str(py::type::of(rows).attr("__name__"))) +
        (py::isinstance<py::sequence>(rows)
             ? " of length " + std::to_string(py::len(rows))
             : std::string()));
  }
  const py::sequence pair = py::reinterpret_borrow<py::sequence>(rows);
  call->options.row_begin = IndexToUint64(pair[0], "rows[0]");
  if (!pair[1].is_none()) call->row_end = IndexToUint64(pair[1], "rows[1]");
}

// The options of a call, from its Python arguments. method and rows apply
// to route() and route_degrees(), tiling to them and the analysis
// functions; the other callers keep the defaults (all rows).
struct CallArgs {
  py::handle k, seed, align = Py_True, row_perm = Py_False, select,
                    target = Py_None, threads, stats = Py_False, memory_limit;
  py::handle method = py::none(), tiling = py::none(), rows = py::none();
};

Call MakeCall(const CallArgs& a) {
  Call call;
  call.options.k = ToK(a.k, "k");
  call.options.seed = IndexToUint64(a.seed, "seed");
  call.options.align = ToBool(a.align, "align");
  call.options.row_perm = ToBool(a.row_perm, "row_perm");
  call.options.select = ParseSelect(ToString(a.select, "select"));
  call.options.threads = ToThreads(a.threads);
  call.options.memory_limit = IndexToUint64(a.memory_limit, "memory_limit");
  if (!a.method.is_none())
    call.options.method = ParseMethod(ToString(a.method, "method"));
  if (!a.tiling.is_none())
    call.options.tiling = ParseTiling(ToString(a.tiling, "tiling"));
  ParseRows(a.rows, &call);
  call.target = ToOptionalString(a.target, "target");
  CheckTargetName(call.target);
  call.want_stats = ToBool(a.stats, "stats");
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
  d["method"] = stats.method;  // resolved: "bits" or "arcs"
  d["tiled"] = stats.tiled;    // applied, whatever tiling= asked
  d["laps"] = stats.laps;
  d["spec"] = stats.spec;
  d["row_begin"] = stats.row_begin;
  d["row_end"] = stats.row_end;
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

// ---------------------------------------------------------------- torch

// Whether `value` is a torch.Tensor. Looks torch up in sys.modules only: a
// tensor exists only once torch is imported, and importing it here would
// cost a second on every call of a process that never uses it.
bool IsTorchTensor(py::handle value) {
  if (py::isinstance<py::array>(value)) return false;
  PyObject* torch = PyDict_GetItemString(PyImport_GetModuleDict(), "torch");
  if (torch == nullptr) return false;
  PyObject* tensor_type = PyObject_GetAttrString(torch, "Tensor");
  if (tensor_type == nullptr) {
    PyErr_Clear();
    return false;
  }
  const int is_tensor = PyObject_IsInstance(value.ptr(), tensor_type);
  Py_DECREF(tensor_type);
  if (is_tensor < 0) PyErr_Clear();
  return is_tensor == 1;
}

// A CPU tensor as a numpy array over the same memory (Tensor.numpy(): no
// copy); a tensor elsewhere or with grad is refused with one line.
py::array TensorAsArray(py::handle tensor, const std::string& name) {
  const std::string device = py::str(tensor.attr("device"));
  if (device != "cpu") {
    throw py::type_error(name + " is a torch.Tensor on " + device +
                         "; expected a CPU tensor (the router runs on the CPU)");
  }
  if (py::cast<bool>(tensor.attr("requires_grad"))) {
    throw py::type_error(name +
                         " is a torch.Tensor that requires grad; pass "
                         "tensor.detach()");
  }
  return tensor.attr("numpy")();
}

// Wraps a numpy result as a torch.Tensor over the same memory.
py::object ToTorch(py::handle array) {
  return py::module_::import("torch").attr("from_numpy")(array);
}

// An array, as given: numpy arrays as they are, CPU tensors through
// Tensor.numpy() (no copy), anything else through numpy.asarray.
py::array AsArray(py::handle object, const char* name) {
  if (IsTorchTensor(object)) return TensorAsArray(object, name);
  py::array a = py::array::ensure(object);
  if (!a) {
    PyErr_Clear();
    throw py::type_error(std::string(name) +
                         " must be a numpy array, a CPU torch.Tensor or "
                         "convertible to an array, not " + TypeName(object));
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

std::string ShapeText(const py::array& a) {
  return std::to_string(a.shape(0)) + "x" + std::to_string(a.shape(1));
}

// An empty matrix is named before its strides are looked at (numpy gives
// an empty array zero strides, which would otherwise be reported instead).
void CheckNotEmpty(const py::array& a, const char* name, Layout layout) {
  if (a.shape(0) > 0 && a.shape(1) > 0) return;
  throw Error(ErrorCode::kBadShape,
              std::string(name) + " is empty (" + ShapeText(a) +
                  (layout == Layout::kBits ? " uint64 words" : " cells") +
                  "): a routing needs at least one source, one target and "
                  "one word or cell a row");
}

// Packed S is M x ceil(E/64) words and T is E x ceil(M/64): each one's
// row count is the other's bit length. Too few words a row is an error
// that names both shapes; more are padding, ignored.
void CheckPackedShapes(const py::array& S, const py::array& T) {
  const size_t M = static_cast<size_t>(S.shape(0)),
               E = static_cast<size_t>(T.shape(0));
  const size_t s_words = (E + 63) / 64, t_words = (M + 63) / 64;
  if (static_cast<size_t>(S.shape(1)) >= s_words &&
      static_cast<size_t>(T.shape(1)) >= t_words) return;
  throw Error(ErrorCode::kBadShape,
              "packed shape mismatch: S (" + ShapeText(S) + ") has M = " +
                  std::to_string(M) + " rows and T (" + ShapeText(T) +
                  ") has E = " + std::to_string(E) +
                  " rows, so S needs at least " + std::to_string(s_words) +
                  " uint64 word(s) a row (ceil(E/64)) and T at least " +
                  std::to_string(t_words) + " (ceil(M/64)); see pack_bits");
}

// Packed rows: the array is rows x words; `cols` (the bit length of a row)
// comes from the other matrix, and CheckPackedShapes has checked the words.
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

// An output argument: a numpy array, or a CPU tensor viewed as one (writes
// land in the tensor).
py::array OutArray(py::handle out, const std::string& name) {
  if (IsTorchTensor(out)) return TensorAsArray(out, name);
  if (!py::isinstance<py::array>(out)) {
    throw py::type_error(name + " must be a numpy array or a CPU torch.Tensor, not " +
                         TypeName(out));
  }
  return py::reinterpret_borrow<py::array>(out);
}

// What a call with out= returns: `out` itself (a tensor stays a tensor),
// else the new array.
py::object Result(py::handle out, const py::array& array) {
  if (out.is_none()) return array;
  return py::reinterpret_borrow<py::object>(out);
}

// The M x k int32 result (M = the rows routed): `out` if given
// (C-contiguous, writable, the right shape and dtype), else a new array. A
// new array over the memory ceiling is refused before it is allocated, as
// the library would refuse it.
py::array_t<int32_t> OutputArray(size_t M, const Options& options,
                                 py::handle out) {
  const size_t k = options.k;
  if (!out.is_none()) {
    py::array a = OutArray(out, "out");
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
    return py::reinterpret_borrow<py::array_t<int32_t>>(a);
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

// The rows a call of M sources routes, end - begin, with the range stored
// in `options`. An invalid range raises the library's error (code and
// message) here, before the output is sized (rows=(0, 0) could not be
// passed on: row_end 0 means M); M = 0 is left to the library, whose
// empty-routing error comes first.
size_t RoutedRows(size_t M, const Call& call, Options* options) {
  if (M == 0) return 0;
  const uint64_t begin = options->row_begin, end = call.row_end.value_or(M);
  if (begin >= end || end > M) {
    throw Error(
        ErrorCode::kBadOption,
        "row range [" + std::to_string(begin) + ", " + std::to_string(end) +
            ") is not a non-empty range of the M = " + std::to_string(M) +
            " sources");
  }
  options->row_end = static_cast<size_t>(end);
  return static_cast<size_t>(end - begin);
}

// Routes with `run(router, options, out, stats_or_null)` on `shared` (or
// on a temporary router), without the GIL.
template <class Run>
py::object RunRouting(PyRouter* shared, size_t M, const Call& call,
                      py::handle out, const Run& run) {
  Options options = call.options;
  const size_t rows = RoutedRows(M, call, &options);
  py::array_t<int32_t> routes = OutputArray(rows, options, out);
  int32_t* data = routes.mutable_data();
  Stats stats;
  {
    py::gil_scoped_release release;
    ScopedTarget target(call.target);
    Stats* stats_out = call.want_stats ? &stats : nullptr;
    if (shared != nullptr) {
      std::lock_guard<std::mutex> lock(shared->mutex);
      run(shared->router, options, data, stats_out);
    } else {
      Router router;
      run(router, options, data, stats_out);
    }
  }
  if (!call.want_stats) return Result(out, routes);
  return py::make_tuple(Result(out, routes), StatsToDict(stats, options));
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
  CheckNotEmpty(S, "S", s_layout);
  CheckNotEmpty(T, "T", t_layout);
  if (s_layout == Layout::kBytes) {
    const ByteMatrixView s = ByteView(S, "S"), t = ByteView(T, "T");
    return RunRouting(shared, s.rows, call, out,
                      [&](Router& r, const Options& o, int32_t* data,
                          Stats* st) { r.Route(s, t, o, data, st); });
  }
  // Packed: S is M x words(E) and T is E x words(M), so M and E are the row
  // counts.
  const size_t M = static_cast<size_t>(S.shape(0)),
               E = static_cast<size_t>(T.shape(0));
  CheckPackedShapes(S, T);
  const BitMatrixView s = BitView(S, E, "S"), t = BitView(T, M, "T");
  return RunRouting(shared, M, call, out,
                    [&](Router& r, const Options& o, int32_t* data, Stats* st) {
                      r.Route(s, t, o, data, st);
                    });
}

py::object RouteDegreeVectors(PyRouter* shared, py::handle s_in,
                              py::handle t_in, const Call& call,
                              py::handle out) {
  const std::vector<uint32_t> s = Degrees(s_in, "s");
  const std::vector<uint32_t> t = Degrees(t_in, "t");
  return RunRouting(shared, s.size(), call, out,
                    [&](Router& r, const Options& o, int32_t* data, Stats* st) {
                      r.RouteDegrees(s, t, o, data, st);
                    });
}

// route() and route_degrees(), on a Router (`shared`) or on a temporary one
// (nullptr); Bound<F> makes the module function and the Router method.
py::object PyRoute(PyRouter* shared, py::handle S, py::handle T, py::handle k,
                   py::handle seed, py::handle align, py::handle row_perm,
                   py::handle select, py::handle target, py::handle threads,
                   py::handle stats, py::handle memory_limit, py::handle method,
                   py::handle tiling, py::handle rows, py::handle out) {
  const Call call = MakeCall({.k = k, .seed = seed, .align = align,
                              .row_perm = row_perm, .select = select,
                              .target = target, .threads = threads,
                              .stats = stats, .memory_limit = memory_limit,
                              .method = method, .tiling = tiling,
                              .rows = rows});
  return RouteMatrices(shared, S, T, call, out);
}

py::object PyRouteDegrees(PyRouter* shared, py::handle s, py::handle t,
                          py::handle k, py::handle seed, py::handle row_perm,
                          py::handle select, py::handle target,
                          py::handle threads, py::handle stats,
                          py::handle memory_limit, py::handle method,
                          py::handle tiling, py::handle rows, py::handle out) {
  const Call call = MakeCall({.k = k, .seed = seed, .row_perm = row_perm,
                              .select = select, .target = target,
                              .threads = threads, .stats = stats,
                              .memory_limit = memory_limit, .method = method,
                              .tiling = tiling, .rows = rows});
  return RouteDegreeVectors(shared, s, t, call, out);
}

// hash_route(): the baseline into a new array or `out`. (A Router holds no
// state the hash router needs; the method is there so that code holding a
// Router has every router in one place.)
py::object PyHashRoute(PyRouter* /*shared*/, py::handle M_in, py::handle E_in,
                       py::handle k, py::handle seed, py::handle threads,
                       py::handle out) {
  const Call call = MakeCall({.k = k, .seed = seed, .select = py::str("random"),
                              .threads = threads, .memory_limit = py::int_(0)});
  const uint64_t M = IndexToUint64(M_in, "M"), E = IndexToUint64(E_in, "E");
  if (M > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
    throw Error(ErrorCode::kBadShape,
                "M = " + std::to_string(M) + " is too large");
  }
  py::array_t<int32_t> routes = OutputArray(M, call.options, out);
  int32_t* data = routes.mutable_data();
  {
    py::gil_scoped_release release;
    HashRoute(M, E, call.options, data);
  }
  return Result(out, routes);
}

constexpr const char* kHashRouteDoc =
    R"doc(The hash-router baseline: per source min(k, E) distinct uniform targets by
hashing (seed, source), ascending, -1 padded; no degree constraints. An M x k
int32 array, or `out` (a C-contiguous int32 (M, k) numpy array or CPU
torch.Tensor, returned as given). The GIL is released while routing.)doc";

template <auto F>
struct Bound;
template <class... Args, py::object (*F)(PyRouter*, Args...)>
struct Bound<F> {
  static py::object Function(Args... args) { return F(nullptr, args...); }
  static py::object Method(PyRouter& self, Args... args) {
    return F(&self, args...);
  }
};

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

void ForceTargetFromPython(py::handle name) {
  const std::string value = ToOptionalString(name, "name").value_or("");
  py::gil_scoped_release
      release;  // a routing with target=... may hold the mutex
  std::lock_guard<std::mutex> lock(g_target_mutex);
  ForceTarget(value);
  g_forced_target = value;
}

constexpr const char* kRouteDoc =
    R"doc(Routes S (M x E) and T (E x M): an M x k int32 array, row i = source i's
target ids ascending, -1 padded (docs/spec.md); (end - begin) x k with rows.

S, T: 2-D bool or uint8 arrays (nonzero = 1), read in place: any row stride,
cells contiguous within a row. Or 2-D uint64 arrays of packed rows (bit x of
a row is bit x % 64 of word x // 64, see pack_bits): S is M x ceil(E/64)
words or more, T is E x ceil(M/64), so M and E are the row counts; bits past
a row's length must be 0.
k: fan-out cap, >= 1. seed: any int in [0, 2^64). align: only the row
degrees matter. row_perm: SPEC step 5. select: "random" or "lowest".
target: a kernel target name for this call (see targets()), None = the
active one. threads: OpenMP threads, 0 = default. memory_limit: bytes, 0 =
the library's default ceiling. method: how candidates are found, "bits"
(the bit matrices; any input), "arcs" (arc intersection; aligned input
only, O(M + E) memory) or "auto" (the cheaper for aligned input, else
bits); the routes are the same (docs/scale.md). tiling: SPEC.md step 2,
"on" (scale the target arcs to tile the source ring a whole number q =
sum(t) // M of laps; aligned input with sum(t) >= M only), "off" (arcs of
length t_t) or "auto" (tile when q * sum(s) >= k * M * E). rows: None for all M
sources, or (begin, end) to route only sources begin <= i < end (end None
= M): row r of the result is source begin + r, equal to that row of the
whole routing. out: an optional C-contiguous int32 (M, k) array to write
into ((end - begin, k) with rows). stats: also return the per-call
statistics as a dict (with the method that ran, row_begin, row_end,
tiled: whether tiling applied, laps: q when tiled else 0, and spec: the
SPEC.md version of the routes).
The GIL is released while routing. Raises phase_router.Error (a ValueError)
with the library's message for bad input, TypeError for a wrong type.)doc";

constexpr const char* kRouteDegreesDoc =
    R"doc(Routes from degree vectors: s has M integers each <= E, t has E
integers each <= M. The same routes as route() on matrices with those row
degrees and align=True (so any method applies). Other arguments, rows,
method and tiling included, as for route().)doc";

// ---------------------------------------------------------------- analysis
// (phase_router/analysis.h): statistics over seeds, capacity planning, the
// Chung-Lu and two-choice baselines. Inputs are degree vectors; results are
// dicts of numpy arrays and floats. The GIL is released while computing.

// The seeds: any iterable of ints (a list, a range, a numpy integer array).
std::vector<uint64_t> SeedList(py::handle object) {
  if (PyLong_Check(object.ptr()) || !py::isinstance<py::iterable>(object)) {
    throw py::type_error(
        "seeds must be a sequence of ints (e.g. range(first, first + count)), "
        "not " +
        std::string(py::str(py::type::of(object).attr("__name__"))));
  }
  std::vector<uint64_t> seeds;
  for (py::handle item : object) {
    seeds.push_back(
        IndexToUint64(item, "seeds[" + std::to_string(seeds.size()) + "]"));
  }
  return seeds;
}

uint32_t CheckK(uint64_t k, const std::string& name) {
  if (k > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
    throw Error(ErrorCode::kBadOption,
                name + " = " + std::to_string(k) +
                    " is out of range; expected 1 to 2^31 - 1");
  }
  return static_cast<uint32_t>(k);
}

// k values: any iterable of non-negative ints (0 is left to the library).
std::vector<uint32_t> KList(py::handle object) {
  if (PyLong_Check(object.ptr()) || !py::isinstance<py::iterable>(object)) {
    throw py::type_error(
        "k_values must be a sequence of ints, not " +
        std::string(py::str(py::type::of(object).attr("__name__"))));
  }
  std::vector<uint32_t> ks;
  for (py::handle item : object) {
    const std::string name = "k_values[" + std::to_string(ks.size()) + "]";
    ks.push_back(CheckK(IndexToUint64(item, name), name));
  }
  return ks;
}

SkewMeasure ParseMeasure(const std::string& name) {
  if (name == "routing") return SkewMeasure::kRouting;
  if (name == "global") return SkewMeasure::kGlobal;
  throw Error(ErrorCode::kBadOption, "measure = \"" + name +
                                         "\" is not a skew measure; expected "
                                         "\"routing\" or \"global\"");
}

template <class T>
py::array_t<T> ToArray(const std::vector<T>& v) {
  return py::array_t<T>(static_cast<ssize_t>(v.size()), v.data());
}

// The Options of an analysis call (the seed comes from the seed list; k is
// 0 where the call takes a k range).
Call AnalysisCall(py::handle k, py::handle row_perm, py::handle select,
                  py::handle target, py::handle threads,
                  py::handle memory_limit, py::handle tiling) {
  const py::int_ zero(0);
  return MakeCall({.k = k, .seed = zero, .row_perm = row_perm,
                   .select = select, .target = target, .threads = threads,
                   .memory_limit = memory_limit, .tiling = tiling});
}

// Runs `compute()` without the GIL, on the call's target.
template <class Compute>
auto WithoutGil(const Call& call, const Compute& compute) {
  py::gil_scoped_release release;
  ScopedTarget target(call.target);
  return compute();
}

py::dict SeedStatsToDict(const SeedStats& st) {
  py::dict d;
  d["algorithm"] = AlgorithmName(st.algorithm);
  d["M"] = st.M;
  d["E"] = st.E;
  d["k"] = st.k;
  d["seeds"] = ToArray(st.seeds);
  d["t"] = ToArray(st.t);
  d["sum_s"] = st.sum_s;
  d["sum_t"] = st.sum_t;
  d["tiled"] = st.tiled;
  d["laps"] = st.laps;
  d["spec"] = kSpecVersion;
  d["mean_load"] = ToArray(st.mean_load);
  d["std_load"] = ToArray(st.std_load);
  d["p95_load"] = ToArray(st.p95_load);
  d["max_load"] = ToArray(st.max_load);
  d["temporal_skew"] = ToArray(st.temporal_skew);
  d["ideal_mean"] = ToArray(st.ideal_mean);
  d["bias"] = ToArray(st.bias);
  d["relative_error"] = ToArray(st.relative_error);
  d["global_skew"] = st.global_skew;
  d["max_abs_bias"] = st.max_abs_bias;
  d["mean_abs_relative_error"] = st.mean_abs_relative_error;
  d["max_abs_relative_error"] = st.max_abs_relative_error;
  d["edge_density"] = st.edge_density;
  d["cap_density"] = st.cap_density;
  d["expected_candidate_density"] = st.expected_candidate_density;
  d["candidate_density"] = st.candidate_density;
  d["mean_fill"] = st.mean_fill;
  d["mean_routing_skew"] = st.mean_routing_skew;
  d["max_routing_skew"] = st.max_routing_skew;
  d["mean_overflow"] = st.mean_overflow;
  py::list runs;
  for (const SeedRun& r : st.runs) {
    py::dict run;
    run["seed"] = r.seed;
    run["active_routes"] = r.active_routes;
    run["fill"] = r.fill;
    run["load_max"] = r.load_max;
    run["load_skew"] = r.load_skew;
    run["overflow"] = r.overflow;
    run["candidates_mean"] = r.candidates_mean;
    runs.append(std::move(run));
  }
  d["runs"] = runs;
  // loads[r, t]: run r's load of target t.
  d["loads"] = py::array_t<uint32_t>(
      {static_cast<ssize_t>(st.runs.size()), static_cast<ssize_t>(st.E)},
      st.loads.data());
  return d;
}

// The part of a SeedStats that EstimateCapacity reads, from the dict
// average_over_seeds returned.
SeedStats SeedStatsFromDict(py::handle object) {
  if (!py::isinstance<py::dict>(object)) {
    throw py::type_error(
        "stats must be the dict that average_over_seeds returned");
  }
  const py::dict d = py::reinterpret_borrow<py::dict>(object);
  for (const char* key : {"t", "mean_load", "loads"}) {
    if (!d.contains(key)) {
      throw Error(ErrorCode::kBadData, std::string("stats has no \"") + key +
                                           "\" (not from average_over_seeds)");
    }
  }
  SeedStats st;
  st.t = Degrees(d["t"], "stats[\"t\"]");
  st.E = st.t.size();
  const auto mean =
      py::array_t<double, py::array::forcecast>::ensure(d["mean_load"]);
  const auto loads =
      py::array_t<uint32_t, py::array::forcecast>::ensure(d["loads"]);
  if (!mean || !loads) {
    PyErr_Clear();
    throw py::type_error(
        "stats[\"mean_load\"] and stats[\"loads\"] must be numeric arrays");
  }
  if (mean.ndim() != 1 || loads.ndim() != 2) {
    throw Error(ErrorCode::kBadShape,
                "stats[\"mean_load\"] must be 1-D and stats[\"loads\"] 2-D "
                "(seeds x targets)");
  }
  st.mean_load.assign(mean.data(), mean.data() + mean.size());
  const auto l = loads.unchecked<2>();
  st.runs.resize(static_cast<size_t>(l.shape(0)));
  st.loads.reserve(static_cast<size_t>(loads.size()));
  for (ssize_t r = 0; r < l.shape(0); ++r)
    for (ssize_t j = 0; j < l.shape(1); ++j) st.loads.push_back(l(r, j));
  return st;
}

py::dict CapacityToDict(const CapacityEstimate& c) {
  py::dict d;
  d["confidence"] = c.confidence;
  d["required"] = ToArray(c.required);
  d["headroom"] = ToArray(c.headroom);
  d["utilization"] = ToArray(c.utilization);
  d["total_required"] = c.total_required;
  d["mean_utilization"] = c.mean_utilization;
  d["uniform_capacity"] = c.uniform_capacity;
  d["capacity_factor"] = c.capacity_factor;
  return d;
}

py::dict KEvaluationToDict(const KEvaluation& e) {
  py::dict d;
  d["k"] = e.k;
  d["skew"] = e.skew;
  d["mean_routing_skew"] = e.mean_routing_skew;
  d["global_skew"] = e.global_skew;
  d["mean_fill"] = e.mean_fill;
  return d;
}

py::dict DensityPointToDict(const DensityPoint& p) {
  py::dict d;
  d["k"] = p.k;
  d["cap_density"] = p.cap_density;
  d["candidate_density"] = p.candidate_density;
  d["empirical_candidate_density"] = p.empirical_candidate_density;
  d["fluid_edge_density"] = p.fluid_edge_density;
  d["poisson_edge_density"] = p.poisson_edge_density;
  d["edge_density"] = p.edge_density;
  d["mean_fill"] = p.mean_fill;
  return d;
}

// A baseline router over degree vectors: an M x k int32 array.
template <class Route>
py::object RouteBaseline(py::handle s_in, py::handle t_in,
                                   const Call& call, py::handle out,
                                   const Route& route) {
  const std::vector<uint32_t> s = Degrees(s_in, "s");
  const std::vector<uint32_t> t = Degrees(t_in, "t");
  py::array_t<int32_t> routes = OutputArray(s.size(), call.options, out);
  int32_t* data = routes.mutable_data();
  {
    py::gil_scoped_release release;
    route(s, t, call.options, data);
  }
  return Result(out, routes);
}

constexpr const char* kAnalysisOptionsDoc =
    R"doc(algorithm: "phase" (default), "hash", "chung-lu" or "two-choice".
row_perm, select, tiling, target, memory_limit: as for route_degrees(). threads:
threads over seeds (each routing runs on one thread), 0 = default; the
results are the same for any count. The GIL is released while computing.
Bad input raises phase_router.Error with the library's message.)doc";

// ---------------------------------------------------------------- MoE
// (phase_router/moe.h, docs/moe.md): routes by target, capacities, and the
// routing of phase_router.moe.route.

// The routes of a routing (M x k): an int32 2-D array is read in place when
// C-contiguous; other integer dtypes and layouts are converted (a copy),
// values outside int32 refused as the library refuses a bad entry.
struct RoutesInput {
  py::array array;  // keeps the memory read alive
  std::vector<int32_t> converted;
  const int32_t* data = nullptr;
  size_t M = 0, k = 0;
  std::span<const int32_t> span() const { return {data, M * k}; }
};

RoutesInput ReadRoutes(py::handle object, uint64_t E) {
  RoutesInput in;
  in.array = AsArray(object, "routes");
  const py::array& a = in.array;
  if (a.ndim() != 2) {
    throw Error(ErrorCode::kBadShape, "routes must be 2-D (M x k), but it has " +
                                          std::to_string(a.ndim()) + " dimension(s)");
  }
  const char kind = a.dtype().kind();
  if (kind != 'i' && kind != 'u') {
    throw py::type_error("routes has dtype " + DtypeName(a) +
                         "; expected integers (int32, as the router returns)");
  }
  in.M = static_cast<size_t>(a.shape(0));
  in.k = static_cast<size_t>(a.shape(1));
  if (py::array_t<int32_t>::check_(a) && (a.flags() & py::array::c_style) &&
      (a.flags() & kAligned)) {
    in.data = static_cast<const int32_t*>(a.data());
    return in;
  }
  const auto values =
      py::array_t<int64_t, py::array::forcecast | py::array::c_style>::ensure(a);
  if (!values) throw py::error_already_set();
  in.converted.resize(in.M * in.k);
  const int64_t* v = values.data();
  for (size_t n = 0; n < in.converted.size(); ++n) {
    if (v[n] < -1 || v[n] > std::numeric_limits<int32_t>::max()) {
      throw Error(ErrorCode::kBadData,
                  "routes[" + std::to_string(n / in.k) + "][" + std::to_string(n % in.k) +
                      "] = " + std::to_string(v[n]) + " is not a target id in [0, E = " +
                      std::to_string(E) + ") nor -1");
    }
    in.converted[n] = static_cast<int32_t>(v[n]);
  }
  in.data = in.converted.data();
  return in;
}

// A 1-D output array of `dtype` T from out=: C-contiguous, aligned,
// writeable, at least `least` entries (exactly, when `exact`).
template <class T>
py::array OutVector(py::handle object, const std::string& name, size_t least,
                    bool exact) {
  py::array a = OutArray(object, name);
  if (!py::array_t<T>::check_(a)) {
    throw py::type_error(name + " has dtype " + DtypeName(a) + "; expected " +
                         std::string(py::str(py::dtype::of<T>())));
  }
  if (a.ndim() != 1) {
    throw Error(ErrorCode::kBadShape, name + " must be 1-D, but it has " +
                                          std::to_string(a.ndim()) + " dimension(s)");
  }
  if (!(a.flags() & py::array::c_style) || !(a.flags() & kAligned) || !a.writeable()) {
    throw Error(ErrorCode::kBadData, name + " must be C-contiguous, aligned and writeable");
  }
  const size_t size = static_cast<size_t>(a.shape(0));
  if (exact ? size != least : size < least) {
    throw Error(ErrorCode::kBadShape, name + " has " + std::to_string(size) +
                                          " entries; expected " +
                                          (exact ? "" : "at least ") + std::to_string(least));
  }
  return a;
}

// E (a target count) as the library takes it; 0 and huge values are left to
// the library, which names them.
size_t ToTargetCount(py::handle value, const char* name) {
  const uint64_t E = IndexToUint64(value, name);
  if (E > (uint64_t{1} << 40)) {
    throw Error(ErrorCode::kBadShape, std::string(name) + " = " + std::to_string(E) +
                                          " is out of range; expected 1 to 2^31 - 1");
  }
  return static_cast<size_t>(E);
}

py::object Slice(py::handle array, size_t n) {
  return array.attr("__getitem__")(py::slice(0, static_cast<ssize_t>(n), 1));
}

py::tuple PyRoutesByTarget(py::handle routes_in, py::handle E_in, py::handle threads_in,
                           py::handle out) {
  const size_t E = ToTargetCount(E_in, "E");
  const int threads = ToThreads(threads_in);
  const RoutesInput routes = ReadRoutes(routes_in, E);
  const size_t entries = routes.M * routes.k;
  py::array offsets, sources, slots;
  py::object out_offsets, out_sources, out_slots;
  if (out.is_none()) {
    offsets = py::array_t<int64_t>(static_cast<ssize_t>(E + 1));
    sources = py::array_t<int32_t>(static_cast<ssize_t>(entries));
    slots = py::array_t<int32_t>(static_cast<ssize_t>(entries));
  } else {
    if (!PyTuple_Check(out.ptr()) || py::len(out) != 3) {
      throw py::type_error("out must be None or a tuple (offsets, sources, slots), not " +
                           TypeName(out));
    }
    const py::tuple parts = py::reinterpret_borrow<py::tuple>(out);
    out_offsets = parts[0];
    out_sources = parts[1];
    out_slots = parts[2];
    offsets = OutVector<int64_t>(out_offsets, "out[0] (offsets)", E + 1, true);
    sources = OutVector<int32_t>(out_sources, "out[1] (sources)", 0, false);
    slots = OutVector<int32_t>(out_slots, "out[2] (slots)", 0, false);
  }
  auto* offsets_data = static_cast<int64_t*>(offsets.mutable_data());
  auto* sources_data = static_cast<int32_t*>(sources.mutable_data());
  auto* slots_data = static_cast<int32_t*>(slots.mutable_data());
  const size_t sources_size = static_cast<size_t>(sources.size()),
               slots_size = static_cast<size_t>(slots.size());
  {
    py::gil_scoped_release release;
    ComputeRoutesByTarget(routes.span(), routes.k, E, std::span<int64_t>(offsets_data, E + 1),
                          std::span<int32_t>(sources_data, sources_size),
                          std::span<int32_t>(slots_data, slots_size), threads);
  }
  const size_t routed = static_cast<size_t>(offsets_data[E]);
  if (!out.is_none()) {
    return py::make_tuple(out_offsets, Slice(out_sources, routed), Slice(out_slots, routed));
  }
  py::object o = offsets, so = Slice(sources, routed), sl = Slice(slots, routed);
  if (IsTorchTensor(routes_in)) return py::make_tuple(ToTorch(o), ToTorch(so), ToTorch(sl));
  return py::make_tuple(o, so, sl);
}

// Capacity weights: None, or a 1-D array or sequence of real numbers.
std::vector<double> Weights(py::handle object) {
  if (object.is_none()) return {};
  const py::array a = AsArray(object, "weights");
  const char kind = a.dtype().kind();
  if (a.size() == 0) return {};  // numpy.asarray([]); the library names it
  if (kind != 'b' && kind != 'i' && kind != 'u' && kind != 'f') {
    throw py::type_error("weights has dtype " + DtypeName(a) + "; expected real numbers");
  }
  if (a.ndim() != 1) {
    throw Error(ErrorCode::kBadShape, "weights must be 1-D, but it has " +
                                          std::to_string(a.ndim()) + " dimension(s)");
  }
  const auto values = py::array_t<double, py::array::forcecast | py::array::c_style>::ensure(a);
  if (!values) throw py::error_already_set();
  return std::vector<double>(values.data(), values.data() + values.size());
}

py::array_t<int64_t> PyCapacities(py::handle M_in, py::handle E_in, py::handle k_in,
                                  py::handle factor_in, py::handle weights_in) {
  const size_t M = ToTargetCount(M_in, "M"), E = ToTargetCount(E_in, "E");
  const uint32_t k = ToK(k_in, "k");
  const double factor = ToDouble(factor_in, "capacity_factor");
  std::vector<double> weights = Weights(weights_in);
  if (!weights_in.is_none() && weights.empty() && E != 0) {
    throw Error(ErrorCode::kBadShape,
                "weights has 0 entries; expected E = " + std::to_string(E) + " (one per expert)");
  }
  const std::vector<uint32_t> t = Capacities(M, E, k, factor, weights);
  py::array_t<int64_t> result(static_cast<ssize_t>(t.size()));
  std::copy(t.begin(), t.end(), result.mutable_data());
  return result;
}

// phase_router.moe.route's routing: the routes and their routes by target in
// one call without the GIL. Returns (experts, offsets, tokens, slots,
// counts, tiled, laps); tokens and slots are views of M * k buffers cut to
// the routes.
py::tuple PyMoeRoute(py::handle router_in, py::handle tokens_in, py::handle capacities_in,
                     py::handle k, py::handle seed, py::handle threads, py::handle tiling) {
  PyRouter* shared = nullptr;
  if (!router_in.is_none()) {
    if (!py::isinstance<PyRouter>(router_in)) {
      throw py::type_error("router must be a phase_router.Router or None, not " +
                           TypeName(router_in));
    }
    shared = &py::cast<PyRouter&>(router_in);
  }
  const Call call = MakeCall({.k = k, .seed = seed, .select = py::str("random"),
                              .threads = threads, .memory_limit = py::int_(0),
                              .tiling = tiling});
  const size_t M = ToTargetCount(tokens_in, "num_tokens");
  const std::vector<uint32_t> capacities = Degrees(capacities_in, "capacities");
  const size_t E = capacities.size(), k_value = call.options.k;
  py::array_t<int32_t> experts = OutputArray(M, call.options, py::none());
  py::array_t<int64_t> offsets(static_cast<ssize_t>(E + 1)), counts(static_cast<ssize_t>(E));
  py::array_t<int32_t> tokens(static_cast<ssize_t>(M * k_value)),
      slots(static_cast<ssize_t>(M * k_value));
  int32_t* experts_data = experts.mutable_data();
  int64_t* offsets_data = offsets.mutable_data();
  int64_t* counts_data = counts.mutable_data();
  int32_t* tokens_data = tokens.mutable_data();
  int32_t* slots_data = slots.mutable_data();
  Stats stats;
  {
    py::gil_scoped_release release;
    const auto route = [&](Router& router) {
      RouteTokens(router, M, capacities, call.options, experts_data, &stats);
    };
    if (shared != nullptr) {
      std::lock_guard<std::mutex> lock(shared->mutex);
      route(shared->router);
    } else {
      Router router;
      route(router);
    }
    ComputeRoutesByTarget(std::span<const int32_t>(experts_data, M * k_value), k_value, E,
                          std::span<int64_t>(offsets_data, E + 1),
                          std::span<int32_t>(tokens_data, M * k_value),
                          std::span<int32_t>(slots_data, M * k_value), call.options.threads);
    for (size_t e = 0; e < E; ++e) counts_data[e] = offsets_data[e + 1] - offsets_data[e];
  }
  const size_t routed = static_cast<size_t>(offsets_data[E]);
  return py::make_tuple(experts, offsets, Slice(tokens, routed), Slice(slots, routed), counts,
                        stats.tiled, stats.laps);
}

void DefineMoe(py::module_& m) {
  m.def("routes_by_target", &PyRoutesByTarget, py::arg("routes"), py::arg("E"), py::kw_only(),
        py::arg("threads") = 0, py::arg("out") = py::none(),
        R"doc(The routes grouped by target (the CSR inverse of a routing; docs/moe.md):
(offsets, sources, slots). offsets (int64, E + 1): the routes into target t
are entries offsets[t] to offsets[t + 1] - 1 of sources (int32: the row
each came from, ascending within a target) and slots (int32: its column
0..k-1 in that row). routes: an M x k integer array, -1 for an unused
slot (int32 C-contiguous arrays are read in place; a CPU torch.Tensor
too, and the results are then tensors). threads: OpenMP threads, 0 =
default; the result is the same for any count. out: None, or a tuple of
three arrays or CPU tensors to write into (offsets of exactly E + 1
int64, sources and slots of at least as many int32 as there are
routes; M * k always suffices); the returned sources and slots are then
their first offsets[E] entries. The GIL is released while computing.)doc");
  m.def("capacities", &PyCapacities, py::arg("M"), py::arg("E"), py::arg("k"),
        py::arg("capacity_factor"), py::arg("weights") = py::none(),
        R"doc(Expert capacities for M tokens with k experts each (docs/moe.md): an int64
array of E entries summing to floor(capacity_factor * M * k) (the factor
read as the decimal it was written as), split in proportion to weights
(E real numbers >= 0, not all 0; None = uniform) by the largest-remainder
method, equal remainders to the lower expert id, every capacity at most M
(an expert whose share reaches M gets M and the rest is shared among the
others). A request the experts cannot take raises phase_router.Error
naming it.)doc");
  m.def("_moe_route", &PyMoeRoute, py::arg("router"), py::arg("num_tokens"),
        py::arg("capacities"), py::arg("k"), py::arg("seed"), py::arg("threads"),
        py::arg("tiling"),
        "phase_router.moe.route's routing and routes by target in one call (internal).");
}

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
  // The SPEC.md version whose routes this module computes, bit for bit.
  m.attr("SPEC_VERSION") = kSpecVersion;

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

  // route() and route_degrees(), as module functions and Router methods.
  const auto def_route = [](auto& scope, auto function) {
    scope.def("route", function, py::arg("S"), py::arg("T"), py::arg("k"),
              py::kw_only(), py::arg("seed") = 0, py::arg("align") = true,
              py::arg("row_perm") = false, py::arg("select") = "random",
              py::arg("target") = py::none(), py::arg("threads") = 0,
              py::arg("stats") = false, py::arg("memory_limit") = 0,
              py::arg("method") = "auto", py::arg("tiling") = "auto",
              py::arg("rows") = py::none(), py::arg("out") = py::none(),
              kRouteDoc);
  };
  const auto def_route_degrees = [](auto& scope, auto function) {
    scope.def("route_degrees", function, py::arg("s"), py::arg("t"),
              py::arg("k"), py::kw_only(), py::arg("seed") = 0,
              py::arg("row_perm") = false, py::arg("select") = "random",
              py::arg("target") = py::none(), py::arg("threads") = 0,
              py::arg("stats") = false, py::arg("memory_limit") = 0,
              py::arg("method") = "auto", py::arg("tiling") = "auto",
              py::arg("rows") = py::none(), py::arg("out") = py::none(),
              kRouteDegreesDoc);
  };
  def_route(m, &Bound<PyRoute>::Function);
  def_route_degrees(m, &Bound<PyRouteDegrees>::Function);

  py::class_<PyRouter> router(
      m, "Router",
      "A router that keeps its workspace across calls (buffers grow, never "
      "shrink): reuse one for routings of the same size. Safe to share between "
      "threads (calls on one Router run one at a time).");
  router.def(py::init<>());
  def_route(router, &Bound<PyRoute>::Method);
  def_route_degrees(router, &Bound<PyRouteDegrees>::Method);
  router
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

  // hash_route(), as a module function and a Router method.
  const auto def_hash_route = [](auto& scope, auto function) {
    scope.def("hash_route", function, py::arg("M"), py::arg("E"), py::arg("k"),
              py::kw_only(), py::arg("seed") = 0, py::arg("threads") = 0,
              py::arg("out") = py::none(), kHashRouteDoc);
  };
  def_hash_route(m, &Bound<PyHashRoute>::Function);
  def_hash_route(router, &Bound<PyHashRoute>::Method);

  DefineMoe(m);

  // ---- analysis (phase_router/analysis.h)
  static const std::string average_doc =
      std::string(
          R"doc(Routes degree vectors s (M) and t (E) with fan-out cap k once per
seed and summarizes (docs/evaluation.md). seeds: a sequence of ints, e.g.
range(first, first + count), in the order of the per-seed results.
Returns a dict with every field of phase_router::SeedStats: per-target
arrays mean_load, std_load (population), ideal_mean, bias, relative_error,
temporal_skew (float64), p95_load, max_load (uint32, nearest rank), the
summaries (global_skew, mean_fill, mean_routing_skew, max_routing_skew,
mean_overflow, densities, ...), seeds (uint64), t (uint32), runs (a list of
one dict per seed) and loads (a len(seeds) x E uint32 array).
)doc") +
      kAnalysisOptionsDoc;
  m.def(
      "average_over_seeds",
      [](py::handle s_in, py::handle t_in, py::handle k, py::handle seeds_in,
         py::handle algorithm_name, py::handle row_perm, py::handle select,
         py::handle target, py::handle threads, py::handle memory_limit,
         py::handle tiling) {
        const Call call = AnalysisCall(k, row_perm, select, target, threads,
                                       memory_limit, tiling);
        const Algorithm algorithm =
            ParseAlgorithm(ToString(algorithm_name, "algorithm"));
        const RoutingInput input =
            RoutingInput::Degrees(Degrees(s_in, "s"), Degrees(t_in, "t"));
        const std::vector<uint64_t> seeds = SeedList(seeds_in);
        const SeedStats st = WithoutGil(call, [&] {
          return AverageOverSeeds(input, call.options, seeds, algorithm);
        });
        return SeedStatsToDict(st);
      },
      py::arg("s"), py::arg("t"), py::arg("k"), py::arg("seeds"), py::kw_only(),
      py::arg("algorithm") = "phase", py::arg("row_perm") = false,
      py::arg("select") = "random", py::arg("target") = py::none(),
      py::arg("threads") = 0, py::arg("memory_limit") = 0,
      py::arg("tiling") = "auto", average_doc.c_str());

  m.def(
      "estimate_capacity",
      [](py::handle stats_in, py::handle confidence_in) {
        const double confidence = ToDouble(confidence_in, "confidence");
        const SeedStats st = SeedStatsFromDict(stats_in);
        const CapacityEstimate c = [&] {
          py::gil_scoped_release release;
          return EstimateCapacity(st, confidence);
        }();
        return CapacityToDict(c);
      },
      py::arg("stats"), py::arg("confidence"),
      R"doc(Capacity planning from the dict average_over_seeds() returned:
per target the confidence-quantile of its load over the seeds (required,
uint32), t minus it (headroom, int64) and mean_load / required
(utilization, float64); total_required, mean_utilization, uniform_capacity
(max of required) and capacity_factor (uniform_capacity over the mean
load). confidence in (0, 1], else phase_router.Error.)doc");

  static const std::string suggest_doc =
      std::string(
          R"doc(Tries k = k_min, k_min + 1, ..., k_max (each averaged over seeds)
and stops at the first whose skew is <= target_skew; else the k of least
skew. measure: "routing" (mean over seeds of one routing's max/mean load)
or "global" (global_skew). Returns {'k', 'skew', 'met', 'evaluations'},
evaluations a list of dicts (k, skew, mean_routing_skew, global_skew,
mean_fill), ascending k. Requires 1 <= k_min <= k_max, target_skew >= 1.
)doc") +
      kAnalysisOptionsDoc;
  m.def(
      "suggest_k",
      [](py::handle s_in, py::handle t_in, py::handle seeds_in,
         py::handle target_skew_in, py::handle k_min_in, py::handle k_max_in,
         py::handle measure_name, py::handle algorithm_name,
         py::handle row_perm, py::handle select, py::handle target,
         py::handle threads, py::handle memory_limit, py::handle tiling) {
        const Call call = AnalysisCall(py::int_(0), row_perm, select, target,
                                       threads, memory_limit, tiling);
        const double target_skew = ToDouble(target_skew_in, "target_skew");
        const int64_t k_min = ToInt64(k_min_in, "k_min"),
                      k_max = ToInt64(k_max_in, "k_max");
        if (k_min < 0 || k_max < 0) {
          throw Error(ErrorCode::kBadOption,
                      "k range [" + std::to_string(k_min) + ", " +
                          std::to_string(k_max) +
                          "] is negative: expected 1 <= k_min <= k_max");
        }
        const uint32_t lo = CheckK(static_cast<uint64_t>(k_min), "k_min");
        const uint32_t hi = CheckK(static_cast<uint64_t>(k_max), "k_max");
        const SkewMeasure measure =
            ParseMeasure(ToString(measure_name, "measure"));
        const Algorithm algorithm =
            ParseAlgorithm(ToString(algorithm_name, "algorithm"));
        const RoutingInput input =
            RoutingInput::Degrees(Degrees(s_in, "s"), Degrees(t_in, "t"));
        const std::vector<uint64_t> seeds = SeedList(seeds_in);
        const KSuggestion r = WithoutGil(call, [&] {
          return SuggestK(input, call.options, seeds, target_skew, lo, hi,
                          measure, algorithm);
        });
        py::list evaluations;
        for (const KEvaluation& e : r.evaluations)
          evaluations.append(KEvaluationToDict(e));
        py::dict d;
        d["k"] = r.k;
        d["skew"] = r.skew;
        d["met"] = r.met;
        d["evaluations"] = evaluations;
        return d;
      },
      py::arg("s"), py::arg("t"), py::arg("seeds"), py::arg("target_skew"),
      py::arg("k_min"), py::arg("k_max"), py::kw_only(),
      py::arg("measure") = "routing", py::arg("algorithm") = "phase",
      py::arg("row_perm") = false, py::arg("select") = "random",
      py::arg("target") = py::none(), py::arg("threads") = 0,
      py::arg("memory_limit") = 0, py::arg("tiling") = "auto",
      suggest_doc.c_str());

  static const std::string analyze_doc =
      std::string(
          R"doc(Theory against measurement, one dict per entry of k_values (each
>= 1): k, cap_density (k / E), candidate_density (the expected-degree law),
empirical_candidate_density, fluid_edge_density, poisson_edge_density,
edge_density (measured over seeds) and mean_fill. Densities are per pair
(over M * E).
)doc") +
      kAnalysisOptionsDoc;
  m.def(
      "analyze_distribution",
      [](py::handle s_in, py::handle t_in, py::handle seeds_in,
         py::handle k_values_in, py::handle algorithm_name,
         py::handle row_perm, py::handle select, py::handle target,
         py::handle threads, py::handle memory_limit, py::handle tiling) {
        const Call call = AnalysisCall(py::int_(0), row_perm, select, target,
                                       threads, memory_limit, tiling);
        const Algorithm algorithm =
            ParseAlgorithm(ToString(algorithm_name, "algorithm"));
        const RoutingInput input =
            RoutingInput::Degrees(Degrees(s_in, "s"), Degrees(t_in, "t"));
        const std::vector<uint64_t> seeds = SeedList(seeds_in);
        const std::vector<uint32_t> ks = KList(k_values_in);
        const std::vector<DensityPoint> points = WithoutGil(call, [&] {
          return AnalyzeDistribution(input, call.options, seeds, ks, algorithm);
        });
        py::list result;
        for (const DensityPoint& p : points)
          result.append(DensityPointToDict(p));
        return result;
      },
      py::arg("s"), py::arg("t"), py::arg("seeds"), py::arg("k_values"),
      py::kw_only(), py::arg("algorithm") = "phase",
      py::arg("row_perm") = false, py::arg("select") = "random",
      py::arg("target") = py::none(), py::arg("threads") = 0,
      py::arg("memory_limit") = 0, py::arg("tiling") = "auto",
      analyze_doc.c_str());

  m.def(
      "chung_lu_route",
      [](py::handle s, py::handle t, py::handle k, py::handle seed,
         py::handle threads, py::handle memory_limit, py::handle out) {
        const py::str random("random");
        const Call call =
            MakeCall({.k = k, .seed = seed, .select = random,
                      .threads = threads, .memory_limit = memory_limit});
        return RouteBaseline(
            s, t, call, out,
            [](std::span<const uint32_t> sv, std::span<const uint32_t> tv,
               const Options& o,
               int32_t* data) { ChungLuRoute(sv, tv, o, data); });
      },
      py::arg("s"), py::arg("t"), py::arg("k"), py::kw_only(),
      py::arg("seed") = 0, py::arg("threads") = 0, py::arg("memory_limit") = 0,
      py::arg("out") = py::none(),
      R"doc(The independent-edge (Chung-Lu) baseline with the phase router's
expected degrees: source i keeps target t with probability s_i t_t / (E M),
then at most k per row and t_t per target. s, t, k, seed, threads,
memory_limit, out as for route_degrees(); an M x k int32 array, rows
ascending, -1 padded. The GIL is released while routing.)doc");

  m.def(
      "two_choice_route",
      [](py::handle s, py::handle t, py::handle k, py::handle seed,
         py::handle memory_limit, py::handle out) {
        const py::str random("random");
        const py::int_ one(1);
        const Call call =
            MakeCall({.k = k, .seed = seed, .select = random, .threads = one,
                      .memory_limit = memory_limit});
        return RouteBaseline(
            s, t, call, out,
            [](std::span<const uint32_t> sv, std::span<const uint32_t> tv,
               const Options& o,
               int32_t* data) { TwoChoiceRoute(sv, tv, o, data); });
      },
      py::arg("s"), py::arg("t"), py::arg("k"), py::kw_only(),
      py::arg("seed") = 0, py::arg("memory_limit") = 0,
      py::arg("out") = py::none(),
      R"doc(The sequential power-of-two-choices baseline: sources in order,
each filling min(k, s_i) slots from the open targets by the less loaded of
two random candidates (load / t_t). s, t, k, seed, memory_limit, out as for
route_degrees() (single threaded by nature); an M x k int32 array, rows
ascending, -1 padded. The GIL is released while routing.)doc");

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

PYBIND11_MODULE(_core, m) { phase_router::python::DefineModule(m); }
