#include "tools/cli/bench_command.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "tools/timing/end_to_end.h"
#include "phase_router/phase_router.h"
#include "tools/io/file_io.h"
#include "tools/io/io_error.h"
#include "tools/io/parse_number.h"

namespace phase_router::cli {
namespace {

using Clock = std::chrono::steady_clock;

// Median wall time in ms of `repeat` runs of fn, after one warm-up run.
template <class Fn>
double MedianMs(int repeat, const Fn& fn) {
  fn();
  std::vector<double> ms;
  for (int r = 0; r < repeat; ++r) {
    const Clock::time_point start = Clock::now();
    fn();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

CLI::App* AddBenchCommand(CLI::App& app, BenchArgs& args) {
  CLI::App* cmd = app.add_subcommand(
      "bench",
      "Time end-to-end routings of the standard shapes (square N x N and MoE "
      "M x E) from degree vectors, packed bits and byte matrices, with the "
      "same-run yardsticks: memcpy of the bytes a routing touches (inputs + "
      "routes) and the hash router with the same M, E, k.");
  AddTargetOption(*cmd, args.target);
  cmd->add_option("--threads", args.threads, "OpenMP threads (0 = OpenMP default)");
  cmd->add_option("--repeat", args.repeat, "timed runs per case; the median is reported");
  args.json_option =
      cmd->add_option("--json", args.json_path,
                      "also write the table as JSON to FILE (atomically)")
          ->type_name("FILE");
  cmd->add_option("--max-side", args.max_side, "skip shapes with M or E above this");
  AddTilingOption(*cmd, args.tiling);
  return cmd;
}

void RunBenchCommand(const BenchArgs& args) {
  const bool json = args.json_option != nullptr && args.json_option->count() > 0;
  if (json && args.json_path.empty()) throw UsageError("--json: the output path is empty");
  const int threads = ParseThreadsOption(args.threads);
  const int repeat = static_cast<int>(ParseUnsignedOption("--repeat", args.repeat, 1, 1000));
  const uint64_t max_side = ParseUnsignedOption("--max-side", args.max_side, 1, 1u << 30);
  const Tiling tiling = ParseTiling(args.tiling);  // CLI11 checked the name
  ApplyTargetOption(args.target);
  // The JSON file is opened (as a temporary file) before the first case, so
  // an unwritable path fails at once, not after minutes of measuring; it
  // appears whole at the end or not at all.
  std::unique_ptr<io::AtomicOutputFile> json_file;
  if (json) json_file = std::make_unique<io::AtomicOutputFile>(args.json_path);
  const std::string stdout_name = "standard output";
  const bool progress = isatty(STDERR_FILENO);
  const std::string target = ActiveTarget();

  struct Case {
    bench::Shape shape;
    bench::InputKind kind;
  };
  std::vector<Case> cases;
  for (const bench::Shape& shape : bench::EndToEndShapes()) {
    if (shape.M > max_side || shape.E > max_side) continue;
    for (bench::InputKind kind :
         {bench::InputKind::kDegrees, bench::InputKind::kBits, bench::InputKind::kBytes}) {
      // Byte matrices past 8192^2 cost more to build than to route.
      if (kind == bench::InputKind::kBytes && shape.M * shape.E > (size_t{1} << 26)) continue;
      cases.push_back({shape, kind});
    }
  }

  std::printf("phase-router bench: target %s, threads %s, tiling %s, median of %d runs\n",
              target.c_str(), threads ? std::to_string(threads).c_str() : "default",
              TilingName(tiling), repeat);
  std::printf("%-18s %-8s %10s %10s %10s %9s %9s\n", "shape", "input", "route ms", "memcpy ms",
              "hash ms", "/memcpy", "/hash");
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  Router router;
  for (size_t c = 0; c < cases.size(); ++c) {
    const bench::Shape& shape = cases[c].shape;
    const char* kind = bench::InputName(cases[c].kind);
    if (progress) {
      std::fprintf(stderr, "\r[%zu/%zu] %s %s ...", c + 1, cases.size(), shape.Name().c_str(),
                   kind);
      std::fflush(stderr);
    }
    const bench::Inputs in = bench::MakeInputs(shape, cases[c].kind);
    Options options;
    options.k = shape.k;
    options.seed = 1;
    options.threads = threads;
    options.tiling = tiling;
    std::vector<int32_t> out(shape.M * shape.k);
    // Timed without stats (they cost a pass over the routes); the stage
    // breakdown comes from the fastest of `repeat` more calls with stats.
    const double route_ms =
        MedianMs(repeat, [&] { bench::RouteCase(router, shape, in, options, out.data()); });
    Stats stats, best_stats;
    best_stats.route_ms = 1e300;
    for (int r = 0; r < repeat; ++r) {
      bench::RouteCase(router, shape, in, options, out.data(), &stats);
      if (stats.route_ms < best_stats.route_ms) best_stats = stats;
    }
    bench::MemcpyYardstick copy(bench::TouchedBytes(shape, in));
    const double memcpy_ms = MedianMs(repeat, [&] { copy.Run(); });
    const double hash_ms = MedianMs(repeat, [&] { HashRoute(shape.M, shape.E, options, out.data()); });
    if (progress) std::fprintf(stderr, "\r\033[K");
    std::printf("%-18s %-8s %10.3f %10.3f %10.3f %9.2f %9.2f\n", shape.Name().c_str(), kind,
                route_ms, memcpy_ms, hash_ms, route_ms / memcpy_ms, route_ms / hash_ms);
    io::FlushOrThrow(stdout, stdout_name);  // a closed stdout ends the run here
    nlohmann::ordered_json stages = nlohmann::ordered_json::object();
    for (const auto& [stage, ms] : best_stats.stage_ms) stages[stage] = ms;
    rows.push_back({{"shape", shape.Name()},
                    {"M", shape.M},
                    {"E", shape.E},
                    {"k", shape.k},
                    {"input", kind},
                    {"target", best_stats.backend},
                    {"tiling", best_stats.tiled},  // applied, as in --stats
                    {"laps", best_stats.laps},
                    {"route_ms", route_ms},
                    {"memcpy_ms", memcpy_ms},
                    {"hash_ms", hash_ms},
                    {"touched_bytes", bench::TouchedBytes(shape, in)},
                    {"workspace_bytes", router.workspace_bytes()},
                    {"fastest_stage_ms", stages}});
  }
  io::FlushOrThrow(stdout, stdout_name);
  if (json_file) {
    nlohmann::ordered_json doc = {{"target", target}, {"threads", threads},
                                  {"repeat", repeat}, {"spec", kSpecVersion},
                                  {"cases", rows}};
    const std::string text = doc.dump(2) + "\n";
    io::WriteAll(json_file->stream(), text.data(), text.size(),
                 io::QuoteForMessage(args.json_path));
    json_file->Commit();
  }
}

}  // namespace phase_router::cli
