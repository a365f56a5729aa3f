// Whole-file reads and all-or-nothing file writes for the command line tool.
#ifndef PHASE_ROUTER_TOOLS_IO_FILE_IO_H_
#define PHASE_ROUTER_TOOLS_IO_FILE_IO_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace phase_router::io {

// What a command-line tool itself holds in memory (inputs as read and
// decoded, output buffers), counted against the same ceiling as the
// library's workspace (--memory-limit): the library gets what is left.
class MemoryBudget {
 public:
  explicit MemoryBudget(uint64_t limit) : limit_(limit) {}

  // Counts `bytes` more, held for `what` ("reading 's.pbm'"), before they
  // are allocated; throws IoError naming `what`, the bytes, what is already
  // held and the limit when the total would pass the limit.
  void Charge(uint64_t bytes, const std::string& what);
  // Gives back bytes charged earlier (a buffer freed).
  void Release(uint64_t bytes) { used_ -= bytes < used_ ? bytes : used_; }

  uint64_t limit() const { return limit_; }
  uint64_t used() const { return used_; }
  uint64_t left() const { return limit_ - used_; }

 private:
  uint64_t limit_;
  uint64_t used_ = 0;
};

// The bytes of the file at `path`. Throws IoError naming the path and the
// system's reason (missing, a directory, permission denied, ...).
// Inputs are read whole; past this size (4 GiB: a P4 matrix of 2^35 pixels,
// a P1 one of 2^31) ReadWholeFile refuses the file. With a `budget`, the
// bytes are charged to it before they are read (a regular file's size up
// front, a pipe's as its buffer grows); the caller releases them.
inline constexpr size_t kMaxInputFileBytes = size_t{1} << 32;
std::string ReadWholeFile(const std::string& path,
                          MemoryBudget* budget = nullptr);

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
// Where the file system has O_TMPFILE (ext4, XFS, tmpfs, Btrfs), the
// temporary file has no name until Commit() links it as PATH.tmp.XXXXXX
// and renames that over `path` at once: a process ended any way at all,
// SIGKILL included, leaves nothing. Elsewhere (or with the environment
// variable PHASE_ROUTER_NAMED_TEMP_FILES=1) it is a named PATH.tmp.XXXXXX
// (mkstemp) from the start, removed by the signal handlers below.
//
// Paths that exist but are not regular files (/dev/null, a FIFO) are written
// directly: they cannot be half-written in the sense that matters and cannot
// be replaced by a rename.
//
// Interrupted runs leave nothing behind either: while a temporary file
// exists its path is registered (in a fixed static table, so a signal
// handler can read it), and SIGHUP, SIGINT, SIGQUIT, SIGTERM and SIGPIPE
// (those whose disposition is still the default when the first file is
// opened) unlink every registered temporary file, then end the process by
// the same signal. SIGXFSZ is ignored (if it was not handled), so a write
// past `ulimit -f` fails with EFBIG like any failed write and the temporary
// file is removed, instead of the process being killed with it in place.
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
  // Gives the O_TMPFILE file its temporary name (registered for the
  // signal handlers); throws IoError.
  void NameUnnamedFile();

  std::string path_;
  std::string temp_path_;  // empty when writing `path_` directly or unnamed
  int temp_slot_ = -1;     // the signal handlers' entry, or -1
  bool unnamed_ = false;   // an O_TMPFILE file not linked yet
  std::FILE* stream_ = nullptr;
};

// Removes `path` (a file this tool wrote, or a temporary one left by an
// interrupted run of it); throws IoError naming it if that fails for any
// reason but its being gone already.
void RemoveFile(const std::string& path);

}  // namespace phase_router::io

#endif  // PHASE_ROUTER_TOOLS_IO_FILE_IO_H_
