#include "tools/io/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "tools/io/io_error.h"

namespace phase_router::io {
namespace {

std::string SystemReason() { return std::strerror(errno); }

// The mode a plain fopen(path, "w") would have given: 0666 minus the umask.
// mkstemp creates 0600 files, which would surprise anyone sharing outputs.
// umask() can only be read by setting it, hence the set-and-restore.
mode_t DefaultNewFileMode() {
  const mode_t mask = umask(0);
  umask(mask);
  return 0666 & ~mask;
}

// The mode the replacement of `path` gets: an existing file keeps its own,
// a new one gets the default.
mode_t ModeForReplacing(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) == 0) return info.st_mode & 07777;
  return DefaultNewFileMode();
}

bool IsExistingNonRegularFile(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 && !S_ISREG(info.st_mode);
}

// A rename would replace a file even when we may not write it; refuse, as
// writing it in place would.
void CheckExistingFileIsWritable(const std::string& path) {
  if (access(path.c_str(), F_OK) == 0 && access(path.c_str(), W_OK) != 0) {
    throw IoError("cannot write '" + path + "': " + SystemReason());
  }
}

}  // namespace

std::string ReadWholeFile(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    throw IoError("cannot open '" + path + "': " + SystemReason());
  }
  std::string bytes;
  char chunk[1 << 16];
  size_t got;
  while ((got = std::fread(chunk, 1, sizeof(chunk), file)) > 0) {
    // Endless or enormous inputs (/dev/zero, a wrong path) fail here rather
    // than when memory runs out.
    if (bytes.size() + got > kMaxInputFileBytes) {
      std::fclose(file);
      throw IoError("'" + path + "' is larger than " + std::to_string(kMaxInputFileBytes) +
                    " bytes, the most an input file may hold");
    }
    bytes.append(chunk, got);
  }
  const bool failed = std::ferror(file) != 0;
  const std::string reason = failed ? SystemReason() : "";
  std::fclose(file);
  if (failed) throw IoError("cannot read '" + path + "': " + reason);
  return bytes;
}

void WriteAll(std::FILE* stream, const char* data, size_t size,
              const std::string& what) {
  if (size == 0) return;
  if (std::fwrite(data, 1, size, stream) != size) {
    throw IoError("cannot write " + what + ": " + SystemReason());
  }
}

void FlushOrThrow(std::FILE* stream, const std::string& what) {
  if (std::fflush(stream) != 0 || std::ferror(stream) != 0) {
    throw IoError("cannot write " + what + ": " + SystemReason());
  }
}

AtomicOutputFile::AtomicOutputFile(std::string path) : path_(std::move(path)) {
  if (path_.empty()) throw IoError("output path is empty");
  if (IsExistingNonRegularFile(path_)) {
    stream_ = std::fopen(path_.c_str(), "wb");
    if (stream_ == nullptr) {
      throw IoError("cannot open '" + path_ +
                    "' for writing: " + SystemReason());
    }
    return;
  }
  CheckExistingFileIsWritable(path_);
  const mode_t mode = ModeForReplacing(path_);
  std::string temp = path_ + ".tmp.XXXXXX";
  const int fd = mkstemp(temp.data());
  if (fd < 0) {
    throw IoError("cannot create a temporary file next to '" + path_ +
                  "': " + SystemReason());
  }
  temp_path_ = temp;
  fchmod(fd, mode);  // best effort; 0600 is still usable
  stream_ = fdopen(fd, "wb");
  if (stream_ == nullptr) {
    const std::string reason = SystemReason();
    close(fd);
    unlink(temp_path_.c_str());
    throw IoError("cannot open '" + temp_path_ + "': " + reason);
  }
}

AtomicOutputFile::~AtomicOutputFile() {
  if (stream_ != nullptr) std::fclose(stream_);
  if (!temp_path_.empty()) unlink(temp_path_.c_str());
}

void AtomicOutputFile::Commit() {
  std::FILE* stream = std::exchange(stream_, nullptr);
  if (stream == nullptr) throw IoError("'" + path_ + "' was already written");
  const bool flushed = std::fflush(stream) == 0 && std::ferror(stream) == 0;
  const std::string reason = flushed ? "" : SystemReason();
  const bool closed = std::fclose(stream) == 0;
  if (!flushed || !closed) {
    throw IoError("cannot write '" + path_ +
                  "': " + (flushed ? SystemReason() : reason));
  }
  if (temp_path_.empty()) return;
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    throw IoError("cannot move the output into place at '" + path_ +
                  "': " + SystemReason());
  }
  temp_path_.clear();  // nothing left for the destructor to delete
}

}  // namespace phase_router::io
