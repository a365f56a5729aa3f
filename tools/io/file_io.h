// Whole-file reads and all-or-nothing file writes for the command line tool.
#ifndef PHASE_ROUTER_TOOLS_IO_FILE_IO_H_
#define PHASE_ROUTER_TOOLS_IO_FILE_IO_H_

#include <cstddef>
#include <cstdio>
#include <string>

namespace phase_router::io {

// The bytes of the file at `path`. Throws IoError naming the path and the
// system's reason (missing, a directory, permission denied, ...).
// Inputs are read whole; past this size (4 GiB: a P4 matrix of 2^35 pixels,
// a P1 one of 2^31) ReadWholeFile refuses the file.
inline constexpr size_t kMaxInputFileBytes = size_t{1} << 32;
std::string ReadWholeFile(const std::string& path);

// Writes `size` bytes to `stream`; throws IoError naming `what` (a path or
// "standard output") when the stream refuses them (disk full, closed pipe).
void WriteAll(std::FILE* stream, const char* data, size_t size,
              const std::string& what);

// fflush with the same error reporting as WriteAll: a full disk or a closed
// pipe often only shows up here.
void FlushOrThrow(std::FILE* stream, const std::string& what);

// A file that either appears complete or not at all. Output goes to a
// temporary file in the same directory (so the final rename stays on one
// file system and is atomic); Commit() renames it over `path`. If Commit()
// is never reached (an error was thrown), the destructor deletes the
// temporary file and `path` is left as it was. A replaced file keeps its
// permission bits; one we may not write is refused, not replaced.
//
// Paths that exist but are not regular files (/dev/null, a FIFO) are written
// directly: they cannot be half-written in the sense that matters and cannot
// be replaced by a rename.
class AtomicOutputFile {
 public:
  explicit AtomicOutputFile(std::string path);  // throws IoError
  ~AtomicOutputFile();
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;

  std::FILE* stream() const { return stream_; }
  const std::string& path() const { return path_; }

  // Flushes, closes and moves the data into place; throws IoError.
  void Commit();

 private:
  std::string path_;
  std::string temp_path_;  // empty when writing `path_` directly
  std::FILE* stream_ = nullptr;
};

}  // namespace phase_router::io

#endif  // PHASE_ROUTER_TOOLS_IO_FILE_IO_H_
