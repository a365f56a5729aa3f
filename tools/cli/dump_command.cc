#include "tools/cli/dump_command.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <string>
#include <system_error>
#include <vector>

#include "phase_router/phase_router.h"
#include "tools/cli/command_line.h"
#include "tools/cli/demo_command.h"
#include "tools/dump/image.h"
#include "tools/dump/pipeline_stages.h"
#include "tools/io/degrees.h"
#include "tools/io/file_io.h"
#include "tools/io/io_error.h"
#include "tools/io/parse_number.h"
#include "tools/io/pbm.h"
#include "tools/io/routes_text.h"

namespace phase_router::cli {
namespace {

// Every stage is an M x E (or E x M) byte matrix, about ten of them plus
// their pictures: 2^24 cells (4096 x 4096) keeps a dump under a few GiB,
// and nobody looks at a bigger picture cell by cell.
constexpr uint64_t kMaxDumpCells = uint64_t{1} << 24;
constexpr size_t kMaxDemoNodes = 4096;
// Automatic scales: stage pictures about 512 pixels wide, overview tiles
// about 160; every cell at least one pixel.
constexpr size_t kStageSide = 512, kTileSide = 160, kMaxScale = 64;
constexpr size_t kMaxPictureSide = 16384;

enum class InputKind { kMatrices, kDegrees, kDemo };

bool Given(const CLI::Option* option) {
  return option != nullptr && option->count() > 0;
}

InputKind CheckInputOptions(const DumpArgs& args) {
  const bool matrices = Given(args.s_pbm_option) || Given(args.t_pbm_option);
  const bool degrees =
      Given(args.s_degrees_option) || Given(args.t_degrees_option);
  if (static_cast<int>(matrices) + static_cast<int>(degrees) +
          static_cast<int>(args.demo) >
      1) {
    throw UsageError(
        "give one input: --s/--t PBM matrices, --s-degrees/--t-degrees "
        "files, or --demo");
  }
  if (!matrices && !degrees && !args.demo) {
    throw UsageError(
        "no input: give --s S.pbm --t T.pbm, --s-degrees FILE --t-degrees "
        "FILE, or --demo");
  }
  CheckInputPairsComplete(args.s_pbm_option, args.t_pbm_option, args.s_degrees_option,
                          args.t_degrees_option);
  if (!matrices && args.no_align) {
    throw UsageError(
        "--no-align needs matrix inputs (--s/--t): degree inputs are "
        "always aligned");
  }
  if (!args.demo && Given(args.demo_nodes_option)) {
    throw UsageError("--nodes needs --demo");
  }
  if (!args.demo && !Given(args.k_option)) {
    throw UsageError("-k is required (except with --demo, where it is N / 4)");
  }
  if (args.out_dir.empty()) throw UsageError("--out: the directory is empty");
  return matrices ? InputKind::kMatrices
                  : (degrees ? InputKind::kDegrees : InputKind::kDemo);
}

dump::ByteMatrix FromPbm(const io::PbmImage& image) {
  dump::ByteMatrix m(image.rows, image.cols);
  m.cells = image.pixels;
  return m;
}

// The inputs as matrices, and the router's routes for them.
struct Routed {
  dump::ByteMatrix S, T;
  Routes routes;
  Stats stats;
  std::string source;  // what was routed, for the summary
};

Routed RouteInput(InputKind kind, const DumpArgs& args, Options& options) {
  Routed r;
  Router router;
  if (kind == InputKind::kMatrices) {
    r.S = FromPbm(io::ReadPbmFile(args.s_pbm));
    r.T = FromPbm(io::ReadPbmFile(args.t_pbm));
    const ByteMatrixView s{r.S.cells.data(), r.S.rows, r.S.cols, 0};
    const ByteMatrixView t{r.T.cells.data(), r.T.rows, r.T.cols, 0};
    r.routes = router.Route(s, t, options, &r.stats);
    r.source = io::QuoteForMessage(args.s_pbm) + ", " + io::QuoteForMessage(args.t_pbm);
    return r;
  }
  std::vector<uint32_t> s, t;
  if (kind == InputKind::kDegrees) {
    s = io::ReadDegreesFile(args.s_degrees);
    t = io::ReadDegreesFile(args.t_degrees);
    r.source = io::QuoteForMessage(args.s_degrees) + ", " + io::QuoteForMessage(args.t_degrees);
  } else {
    const size_t n =
        ParseUnsignedOption("--nodes", args.demo_nodes, 1, kMaxDemoNodes);
    DemoInput demo = MakeDemoInput(n);
    s = std::move(demo.s);
    t = std::move(demo.t);
    if (!Given(args.k_option)) options.k = demo.k;
    r.source = "the demo's degrees at N = " + std::to_string(n);
  }
  options.align = true;  // degrees are aligned by definition
  r.routes = router.RouteDegrees(s, t, options, &r.stats);  // validates
  r.S = dump::ArcMatrix(s, t.size());
  r.T = dump::ArcMatrix(t, s.size());
  return r;
}

// --scale as given (the command line alone: exit 2 when malformed).
size_t ParseScale(const DumpArgs& args) {
  return ParseUnsignedOption("--scale", args.scale, 0, kMaxScale);
}

// The scale for a routing whose larger side is `side`. A --scale that makes
// the pictures too large is a bad command line (exit 2) with --demo, whose
// size the command line gives, but the input's problem (exit 1) with files:
// the same --scale draws a smaller input.
size_t ChooseScale(size_t scale, size_t side, bool demo) {
  if (scale != 0) {
    if (side * scale > kMaxPictureSide) {
      const std::string message = "--scale " + std::to_string(scale) + ": " +
                                  std::to_string(side) + " cells would be " +
                                  std::to_string(side * scale) + " pixels; at most " +
                                  std::to_string(kMaxPictureSide);
      if (demo) throw UsageError(message);
      throw Error(ErrorCode::kBadOption, message);
    }
    return scale;
  }
  return std::clamp<size_t>(kStageSide / side, 1, 16);
}

// The names dump writes: NN_name.png and NN_name.pbm (the stages, the
// routes, the load histogram, the overview), routes.txt and layout.txt;
// and their temporary files (NAME.tmp.XXXXXX), which an interrupted run
// could only leave behind if killed outright (SIGKILL).
bool IsDumpFileName(const std::string& name) {
  std::string base = name;
  const size_t tmp = name.rfind(".tmp.");
  if (tmp != std::string::npos && name.size() == tmp + 11) base = name.substr(0, tmp);
  if (base == "routes.txt" || base == "layout.txt") return true;
  const bool picture = base.size() > 7 && (base.compare(base.size() - 4, 4, ".png") == 0 ||
                                           base.compare(base.size() - 4, 4, ".pbm") == 0);
  if (!picture || !std::isdigit(static_cast<unsigned char>(base[0])) ||
      !std::isdigit(static_cast<unsigned char>(base[1])) || base[2] != '_') {
    return false;
  }
  for (size_t n = 3; n < base.size() - 4; ++n) {
    const unsigned char c = static_cast<unsigned char>(base[n]);
    if (!std::isalnum(c) && c != '_') return false;
  }
  return true;
}

// --out DIR before anything is routed: a new or empty directory, or one
// that holds only what an earlier dump wrote (whose files this run replaces
// and whose other files it removes, so the folder ends up holding exactly
// the files the summary lists). Anything else in it is refused, named:
// dump does not mix its pictures with files it did not write. Returns the
// earlier dump's files.
std::vector<std::string> EarlierDumpFiles(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> names;
  std::error_code error;
  const fs::file_status status = fs::status(dir, error);
  if (error || !fs::exists(status)) return names;  // created later
  const std::string quoted = io::QuoteForMessage(dir);
  if (!fs::is_directory(status)) {
    throw io::IoError("--out " + quoted + " exists and is not a directory");
  }
  fs::directory_iterator it(dir, error);
  for (; !error && it != fs::directory_iterator(); it.increment(error)) {
    const std::string name = it->path().filename().string();
    std::error_code type_error;
    if (!IsDumpFileName(name) || !it->is_regular_file(type_error)) {
      throw io::IoError("--out " + quoted + " holds " + io::QuoteForMessage(name) +
                        ", which dump does not write: give a new or empty directory, or "
                        "one an earlier dump wrote (its files are replaced)");
    }
    names.push_back(name);
  }
  if (error) throw io::IoError("--out " + quoted + ": cannot list it: " + error.message());
  return names;
}

// Writes files under one directory and lists them.
class Writer {
 public:
  explicit Writer(std::string dir) : dir_(std::move(dir)) {
    std::error_code error;
    std::filesystem::create_directories(dir_, error);
    if (error) {
      throw io::IoError("--out " + io::QuoteForMessage(dir_) +
                        ": cannot create the directory: " + error.message());
    }
  }
  std::string Path(const std::string& name) const {
    return (std::filesystem::path(dir_) / name).string();
  }
  void Png(const std::string& stem, const dump::Image& image) {
    dump::WritePngFile(Path(stem + ".png"), image);
    written_.push_back(stem + ".png");
  }
  void Pbm(const std::string& stem, const dump::ByteMatrix& m) {
    io::WritePbmFile(Path(stem + ".pbm"), m.cells.data(), m.rows, m.cols,
                     io::PbmEncoding::kRaw);
    written_.push_back(stem + ".pbm");
  }
  void Routes(const std::string& name, const phase_router::Routes& routes) {
    io::WriteRoutesTextFile(Path(name), routes.ids.data(), routes.M, routes.k);
    written_.push_back(name);
  }
  void Text(const std::string& name, const std::string& text) {
    io::AtomicOutputFile file(Path(name));
    io::WriteAll(file.stream(), text.data(), text.size(), io::QuoteForMessage(file.path()));
    file.Commit();
    written_.push_back(name);
  }
  const std::vector<std::string>& written() const { return written_; }

  // Removes those of `earlier` (an earlier dump's files) this run did not
  // write; returns how many.
  size_t RemoveStale(const std::vector<std::string>& earlier) const {
    size_t removed = 0;
    for (const std::string& name : earlier) {
      if (std::find(written_.begin(), written_.end(), name) != written_.end()) continue;
      io::RemoveFile(Path(name));
      ++removed;
    }
    return removed;
  }

 private:
  std::string dir_;
  std::vector<std::string> written_;
};

// SPEC.md step 2's target layout, one line per place in the lay-out order:
// the target laid there, its degree t, its arc length t' (scaled when
// tiled), where the arc starts on the unrolled line and its offset psi on
// the source ring.
std::string LayoutText(const dump::Pipeline& p, size_t M) {
  const size_t E = p.t.size();
  std::vector<uint32_t> order(E);
  for (size_t t = 0; t < E; ++t) order[p.sigma[t]] = static_cast<uint32_t>(t);
  std::string text = "# target layout (SPEC.md step 2): tiling ";
  text += p.tiled ? "applied, " + std::to_string(p.laps) + " laps of M = " + std::to_string(M)
                  : std::string("not applied");
  text += "\n# place target t t' start psi\n";
  uint64_t start = 0;
  for (size_t place = 0; place < E; ++place) {
    const uint32_t t = order[place];
    text += std::to_string(place) + " " + std::to_string(t) + " " + std::to_string(p.t[t]) + " " +
            std::to_string(p.t_arc[t]) + " " + std::to_string(start) + " " +
            std::to_string(p.psi[t]) + "\n";
    start += p.t_arc[t];
  }
  return text;
}

// The stage-by-stage pipeline must pick exactly the router's routes.
void CheckSameRoutes(const Routes& routes, const dump::Pipeline& pipeline) {
  for (size_t i = 0; i < routes.M; ++i) {
    for (size_t n = 0; n < routes.k; ++n) {
      if (routes.ids[i * routes.k + n] != pipeline.routes[i * routes.k + n]) {
        throw std::logic_error(
            "the router's routes differ from the stage-by-stage pipeline's "
            "at source " +
            std::to_string(i) + ": please report this bug");
      }
    }
  }
}

std::string Title(const Routed& r, const Options& options) {
  std::string title = "phase router  M=" + std::to_string(r.S.rows) +
                      " E=" + std::to_string(r.S.cols) +
                      " k=" + std::to_string(options.k) +
                      " seed=" + std::to_string(options.seed);
  if (!options.align) title += " no-align";
  if (options.row_perm) title += " row-perm";
  if (options.select == Select::kLowest) title += " lowest";
  if (r.stats.tiled) title += " tiled x" + std::to_string(r.stats.laps);
  return title;
}

// "on (3 laps)" or "off": whether SPEC.md's tiling applied.
std::string TilingSummary(const Stats& stats) {
  if (!stats.tiled) return "off";
  return "on (" + std::to_string(stats.laps) + " laps)";
}

}  // namespace

CLI::App* AddDumpCommand(CLI::App& app, DumpArgs& args) {
  CLI::App* dump = app.add_subcommand(
      "dump",
      "Draw one routing stage by stage: every pipeline stage as PNG and PBM, "
      "the routes, a target-load bar chart and a labelled overview, into "
      "--out DIR");
  args.s_pbm_option =
      dump->add_option("--s", args.s_pbm, "S as a PBM, width E, height M")
          ->type_name("S.pbm");
  args.t_pbm_option =
      dump->add_option("--t", args.t_pbm, "T as a PBM, width M, height E")
          ->type_name("T.pbm");
  args.s_degrees_option =
      dump->add_option("--s-degrees", args.s_degrees,
                       "source degrees: M whitespace-separated integers")
          ->type_name("FILE");
  args.t_degrees_option =
      dump->add_option("--t-degrees", args.t_degrees,
                       "target degrees: E whitespace-separated integers")
          ->type_name("FILE");
  dump->add_flag("--demo", args.demo,
                 "draw the demo's skewed degrees (see `demo`) at --nodes N");
  args.demo_nodes_option =
      dump->add_option("--nodes", args.demo_nodes,
                       "with --demo: N sources and N targets, at most 4096")
          ->type_name("N")
          ->capture_default_str();
  args.k_option =
      dump->add_option("-k", args.k,
                       "fan-out cap per source, >= 1 (--demo: N / 4)")
          ->type_name("K");
  dump->add_option("--seed", args.seed, "any unsigned 64-bit seed")
      ->type_name("SEED")
      ->capture_default_str();
  dump->add_flag("--no-align", args.no_align,
                 "use the matrices' own bit patterns (matrix inputs only)");
  dump->add_flag("--row-perm", args.row_perm, "permute rows (SPEC step 5)");
  dump->add_option("--select", args.select, "top-k selection rule")
      ->check(OneOf({"random", "lowest"}))
      ->capture_default_str();
  AddTilingOption(*dump, args.tiling);
  dump->add_option("--scale", args.scale,
                   "pixels per cell; 0 = automatic (about 512 pixels a side, "
                   "at most 16 per cell)")
      ->type_name("N")
      ->capture_default_str();
  dump->add_option("--out", args.out_dir,
                   "output directory (created if missing)")
      ->required()
      ->type_name("DIR");
  dump->add_option("--threads", args.threads, "OpenMP threads, 0 = default")
      ->type_name("N")
      ->capture_default_str();
  AddTargetOption(*dump, args.target);
  return dump;
}

void RunDumpCommand(const DumpArgs& args) {
  const InputKind kind = CheckInputOptions(args);
  Options options;
  if (Given(args.k_option)) {
    options.k = static_cast<uint32_t>(ParseUnsignedOption(
        "-k", args.k, 1, std::numeric_limits<int32_t>::max()));
  }
  options.seed = ParseSeedOption(args.seed);
  options.threads = ParseThreadsOption(args.threads);
  options.align = !args.no_align;
  options.row_perm = args.row_perm;
  options.select = ParseSelect(args.select);
  options.tiling = ParseTiling(args.tiling);  // CLI11 checked the name
  const size_t asked_scale = ParseScale(args);
  if (args.demo) ParseUnsignedOption("--nodes", args.demo_nodes, 1, kMaxDemoNodes);
  ApplyTargetOption(args.target);
  const std::vector<std::string> earlier = EarlierDumpFiles(args.out_dir);

  // The real router first: it validates the input and gives the routes.
  Routed r = RouteInput(kind, args, options);
  const size_t M = r.S.rows, E = r.S.cols;
  if (static_cast<uint64_t>(M) * E > kMaxDumpCells) {
    throw Error(
        ErrorCode::kBadShape,
        "dump draws at most 2^24 cells (4096 x 4096); this routing is " +
            std::to_string(M) + " x " + std::to_string(E));
  }
  const size_t side = std::max(M, E);
  const size_t scale = ChooseScale(asked_scale, side, kind == InputKind::kDemo);
  const size_t tile_scale = std::clamp<size_t>(kTileSide / side, 1, scale);

  const dump::Pipeline pipeline = dump::EvaluatePipeline(r.S, r.T, options);
  CheckSameRoutes(r.routes, pipeline);

  Writer out(args.out_dir);
  for (const dump::Stage& stage : pipeline.stages) {
    out.Png(stage.file_stem, dump::RenderMatrix(stage.matrix, scale));
    out.Pbm(stage.file_stem, stage.matrix);
  }
  dump::ByteMatrix chosen(M, E);
  std::vector<uint32_t> loads(E, 0);
  for (size_t i = 0; i < M; ++i) {
    for (int32_t t : r.routes.row(i)) {
      if (t < 0) continue;
      chosen.at(i, static_cast<size_t>(t)) = 1;
      ++loads[static_cast<size_t>(t)];
    }
  }
  out.Png("11_routes", dump::RenderRoutes(pipeline.candidates, r.routes.ids,
                                          options.k, scale));
  out.Pbm("11_routes", chosen);
  out.Png("12_load_histogram",
          dump::RenderLoadHistogram(loads, pipeline.t, 256));
  out.Routes("routes.txt", r.routes);
  out.Text("layout.txt", LayoutText(pipeline, M));

  // The overview: S's stages, T's stages, then the result.
  std::vector<dump::Image> tiles;
  tiles.reserve(pipeline.stages.size() + 2);  // pointers below stay valid
  std::vector<std::vector<dump::Tile>> rows(3);
  for (const dump::Stage& stage : pipeline.stages) {
    tiles.push_back(dump::RenderMatrix(stage.matrix, tile_scale));
    const size_t row =
        stage.title[0] == 'S' ? 0 : (stage.title[0] == 'T' ? 1 : 2);
    rows[row].push_back({stage.title, &tiles.back()});
  }
  tiles.push_back(dump::RenderRoutes(pipeline.candidates, r.routes.ids,
                                     options.k, tile_scale));
  rows[2].push_back({"routes", &tiles.back()});
  tiles.push_back(dump::RenderLoadHistogram(
      loads, pipeline.t, std::max<size_t>(96, M * tile_scale)));
  rows[2].push_back({"target loads", &tiles.back()});
  out.Png("00_overview", dump::Overview(Title(r, options), rows));
  const size_t removed = out.RemoveStale(earlier);

  std::printf("phase-router dump: %zu x %zu, k = %u, seed %llu, from %s\n", M,
              E, options.k, static_cast<unsigned long long>(options.seed),
              r.source.c_str());
  std::printf("  backend %s, fill %.4f, load max %u mean %.1f, tiling %s\n",
              r.stats.backend.c_str(), r.stats.fill_ratio, r.stats.load_max,
              r.stats.load_mean, TilingSummary(r.stats).c_str());
  std::printf("  %zu pixel(s) per cell; wrote %zu files to %s", scale,
              out.written().size(), io::QuoteForMessage(args.out_dir).c_str());
  if (removed > 0) {
    std::printf(" (and removed %zu an earlier dump wrote there)", removed);
  }
  std::printf(":\n");
  for (const std::string& name : out.written()) {
    std::printf("    %s\n", name.c_str());
  }
  io::FlushOrThrow(stdout, "standard output");
}

}  // namespace phase_router::cli
