#include "tools/io/file_io.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <utility>

#include "tools/io/io_error.h"
#include "tools/io/parse_number.h"

namespace phase_router::io {
namespace {

std::string SystemReason() { return std::strerror(errno); }

// ---- Temporary files the signal handlers remove ----------------------------

// A handful of outputs are open at once at most (one per AtomicOutputFile
// alive); a path longer than a slot (beyond PATH_MAX) is not registered and
// only the destructor removes it.
constexpr int kTempSlots = 16;
constexpr size_t kTempPathBytes = 4096;
enum SlotState : int { kFree = 0, kClaimed = 1, kRegistered = 2 };
static_assert(std::atomic<int>::is_always_lock_free,
              "the signal handler reads the slot states");
struct TempSlot {
  std::atomic<int> state{kFree};
  char path[kTempPathBytes];
};
TempSlot g_temp_slots[kTempSlots];

constexpr int kCleanupSignals[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE};

// Async-signal-safe: atomic loads, unlink and raise only. SA_RESETHAND has
// restored the default action, and the signal, blocked while this runs, is
// delivered again on return: the process ends as it would have.
void RemoveTempFilesAndReraise(int signal_number) {
  const int saved_errno = errno;
  for (TempSlot& slot : g_temp_slots) {
    if (slot.state.load(std::memory_order_acquire) == kRegistered) {
      unlink(slot.path);
    }
  }
  raise(signal_number);
  errno = saved_errno;
}

void InstallCleanupHandlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction action;
    std::memset(&action, 0, sizeof(action));
    action.sa_handler = RemoveTempFilesAndReraise;
    sigemptyset(&action.sa_mask);
    for (int s : kCleanupSignals) sigaddset(&action.sa_mask, s);
    action.sa_flags = SA_RESETHAND;
    for (int s : kCleanupSignals) {
      struct sigaction old;
      // Only where nobody chose otherwise: nohup's SIG_IGN stays ignored,
      // and a handler of an embedding program (or of MPI) stays its own.
      if (sigaction(s, nullptr, &old) == 0 && old.sa_handler == SIG_DFL &&
          !(old.sa_flags & SA_SIGINFO)) {
        sigaction(s, &action, nullptr);
      }
    }
    struct sigaction xfsz;
    if (sigaction(SIGXFSZ, nullptr, &xfsz) == 0 && xfsz.sa_handler == SIG_DFL &&
        !(xfsz.sa_flags & SA_SIGINFO)) {
      signal(SIGXFSZ, SIG_IGN);
    }
  });
}

// Blocks the cleanup signals for its lifetime, so a temporary file is
// never created without being registered.
class BlockCleanupSignals {
 public:
  BlockCleanupSignals() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : kCleanupSignals) sigaddset(&set, s);
    pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  ~BlockCleanupSignals() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  BlockCleanupSignals(const BlockCleanupSignals&) = delete;
  BlockCleanupSignals& operator=(const BlockCleanupSignals&) = delete;

 private:
  sigset_t old_;
};

int RegisterTempFile(const std::string& path) {
  if (path.size() >= kTempPathBytes) return -1;
  for (int n = 0; n < kTempSlots; ++n) {
    int expected = kFree;
    if (g_temp_slots[n].state.compare_exchange_strong(expected, kClaimed)) {
      std::memcpy(g_temp_slots[n].path, path.c_str(), path.size() + 1);
      g_temp_slots[n].state.store(kRegistered, std::memory_order_release);
      return n;
    }
  }
  return -1;
}

void UnregisterTempFile(int slot) {
  if (slot >= 0) g_temp_slots[slot].state.store(kFree, std::memory_order_release);
}

// ---- Files -----------------------------------------------------------------

// An unnamed file in `dir` (O_TMPFILE), given a name only when it is
// committed: nothing, not even SIGKILL, can leave it behind. -1 where the
// file system or the kernel lacks O_TMPFILE, or /proc (needed to link it)
// is missing; the caller then falls back to a named temporary file.
int OpenUnnamedFile(const std::string& path, mode_t mode) {
#ifdef O_TMPFILE
  // PHASE_ROUTER_NAMED_TEMP_FILES=1: named ones anyway (tests of the
  // fallback and of its signal handlers; file systems whose O_TMPFILE
  // misbehaves).
  const char* named = std::getenv("PHASE_ROUTER_NAMED_TEMP_FILES");
  if (named != nullptr && *named != '\0' && std::strcmp(named, "0") != 0) return -1;
  if (access("/proc/self/fd", X_OK) != 0) return -1;
  const size_t slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  return open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
#else
  (void)path;
  (void)mode;
  return -1;
#endif
}

// Six characters for a temporary name, as mkstemp's.
std::string RandomSuffix() {
  static constexpr char kChars[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  static std::atomic<uint64_t> counter{0};
  uint64_t x = static_cast<uint64_t>(getpid()) * 0x9E3779B97F4A7C15ull ^
               static_cast<uint64_t>(reinterpret_cast<uintptr_t>(&x)) ^
               (counter.fetch_add(1) + 1) * 0xBF58476D1CE4E5B9ull ^
               static_cast<uint64_t>(time(nullptr)) * 0x94D049BB133111EBull;
  std::string suffix(6, 'X');
  for (char& c : suffix) {
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ull;
    c = kChars[(x >> 32) % (sizeof(kChars) - 1)];
  }
  return suffix;
}

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
    throw IoError("cannot write " + QuoteForMessage(path) + ": " + SystemReason());
  }
}

}  // namespace

void MemoryBudget::Charge(uint64_t bytes, const std::string& what) {
  if (bytes <= limit_ - used_) {
    used_ += bytes;
    return;
  }
  throw IoError(what + " needs " + std::to_string(bytes) + " more bytes (the tool holds " +
                std::to_string(used_) + " already), over the memory limit of " +
                std::to_string(limit_) +
                " bytes; raise --memory-limit to allow it");
}

std::string ReadWholeFile(const std::string& path, MemoryBudget* budget) {
  const std::string quoted = QuoteForMessage(path);
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    throw IoError("cannot open " + quoted + ": " + SystemReason());
  }
  std::string bytes;
  uint64_t charged = 0;
  const auto charge = [&](uint64_t total) {
    if (budget == nullptr || total <= charged) return;
    try {
      budget->Charge(total - charged, "reading " + quoted);
    } catch (...) {
      std::fclose(file);
      budget->Release(charged);
      throw;
    }
    charged = total;
  };
  struct stat info;
  if (fstat(fileno(file), &info) == 0 && S_ISREG(info.st_mode) && info.st_size > 0 &&
      static_cast<uint64_t>(info.st_size) <= kMaxInputFileBytes) {
    charge(static_cast<uint64_t>(info.st_size) + 1);
    bytes.reserve(static_cast<size_t>(info.st_size) + 1);
  }
  char chunk[1 << 16];
  size_t got;
  while ((got = std::fread(chunk, 1, sizeof(chunk), file)) > 0) {
    // Endless or enormous inputs (/dev/zero, a wrong path) fail here rather
    // than when memory runs out.
    if (bytes.size() + got > kMaxInputFileBytes) {
      std::fclose(file);
      if (budget != nullptr) budget->Release(charged);
      throw IoError(quoted + " is larger than " + std::to_string(kMaxInputFileBytes) +
                    " bytes, the most an input file may hold");
    }
    // A pipe (or a file that grew): what appending will allocate.
    if (bytes.size() + got > bytes.capacity()) {
      charge(std::max<uint64_t>(2 * uint64_t{bytes.capacity()}, bytes.size() + got) + 1);
    }
    bytes.append(chunk, got);
  }
  const bool failed = std::ferror(file) != 0;
  const std::string reason = failed ? SystemReason() : "";
  std::fclose(file);
  if (failed) {
    if (budget != nullptr) budget->Release(charged);
    throw IoError("cannot read " + quoted + ": " + reason);
  }
  // What stays charged is what the bytes hold, bytes.capacity(): the
  // caller releases that when it frees them.
  if (budget != nullptr && charged > bytes.capacity()) {
    budget->Release(charged - bytes.capacity());
  } else if (budget != nullptr && charged < bytes.capacity()) {
    try {
      budget->Charge(bytes.capacity() - charged, "reading " + quoted);
    } catch (...) {
      budget->Release(charged);
      throw;
    }
  }
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
  errno = 0;
  const bool flushed = std::fflush(stream) == 0;
  if (flushed && std::ferror(stream) == 0) return;
  // A failure of an earlier write (printf) leaves only the error flag.
  throw IoError("cannot write " + what + ": " +
                (errno != 0 ? SystemReason() : std::string("an earlier write failed")));
}

AtomicOutputFile::AtomicOutputFile(std::string path) : path_(std::move(path)) {
  if (path_.empty()) throw IoError("output path is empty");
  const std::string quoted = QuoteForMessage(path_);
  InstallCleanupHandlers();
  if (IsExistingNonRegularFile(path_)) {
    stream_ = std::fopen(path_.c_str(), "wb");
    if (stream_ == nullptr) {
      throw IoError("cannot open " + quoted + " for writing: " + SystemReason());
    }
    return;
  }
  CheckExistingFileIsWritable(path_);
  const mode_t mode = ModeForReplacing(path_);
  const int unnamed = OpenUnnamedFile(path_, mode);
  if (unnamed >= 0) {
    fchmod(unnamed, mode);  // the umask applied to open's mode
    stream_ = fdopen(unnamed, "wb");
    if (stream_ == nullptr) {
      const std::string reason = SystemReason();
      close(unnamed);
      throw IoError("cannot open a temporary file next to " + quoted + ": " + reason);
    }
    unnamed_ = true;
    return;
  }
  std::string temp = path_ + ".tmp.XXXXXX";
  int fd;
  {
    const BlockCleanupSignals blocked;
    fd = mkstemp(temp.data());
    if (fd >= 0) temp_slot_ = RegisterTempFile(temp);
  }
  if (fd < 0) {
    throw IoError("cannot create a temporary file next to " + quoted + ": " +
                  SystemReason());
  }
  temp_path_ = temp;
  fchmod(fd, mode);  // best effort; 0600 is still usable
  stream_ = fdopen(fd, "wb");
  if (stream_ == nullptr) {
    const std::string reason = SystemReason();
    close(fd);
    unlink(temp_path_.c_str());
    UnregisterTempFile(std::exchange(temp_slot_, -1));
    throw IoError("cannot open " + QuoteForMessage(temp_path_) + ": " + reason);
  }
}

AtomicOutputFile::~AtomicOutputFile() {
  if (stream_ != nullptr) std::fclose(stream_);
  if (!temp_path_.empty()) unlink(temp_path_.c_str());
  UnregisterTempFile(temp_slot_);
}

void AtomicOutputFile::Commit() {
  const std::string quoted = QuoteForMessage(path_);
  if (stream_ == nullptr) throw IoError(quoted + " was already written");
  if (unnamed_) NameUnnamedFile();
  std::FILE* stream = std::exchange(stream_, nullptr);
  const bool flushed = std::fflush(stream) == 0 && std::ferror(stream) == 0;
  const std::string reason = flushed ? "" : SystemReason();
  const bool closed = std::fclose(stream) == 0;
  if (!flushed || !closed) {
    throw IoError("cannot write " + quoted + ": " + (flushed ? SystemReason() : reason));
  }
  if (temp_path_.empty()) return;
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    throw IoError("cannot move the output into place at " + quoted + ": " + SystemReason());
  }
  temp_path_.clear();  // nothing left for the destructor to delete
  UnregisterTempFile(std::exchange(temp_slot_, -1));
}

void AtomicOutputFile::NameUnnamedFile() {
  // Everything must be in the file before it gets a name.
  if (std::fflush(stream_) != 0 || std::ferror(stream_) != 0) {
    throw IoError("cannot write " + QuoteForMessage(path_) + ": " + SystemReason());
  }
  const std::string fd_path = "/proc/self/fd/" + std::to_string(fileno(stream_));
  const BlockCleanupSignals blocked;  // named and registered as one step
  for (int attempt = 0;; ++attempt) {
    std::string temp = path_ + ".tmp." + RandomSuffix();
    if (linkat(AT_FDCWD, fd_path.c_str(), AT_FDCWD, temp.c_str(), AT_SYMLINK_FOLLOW) == 0) {
      temp_path_ = std::move(temp);
      temp_slot_ = RegisterTempFile(temp_path_);
      unnamed_ = false;
      return;
    }
    if (errno != EEXIST || attempt == 100) {
      throw IoError("cannot move the output into place at " + QuoteForMessage(path_) + ": " +
                    SystemReason());
    }
  }
}

void RemoveFile(const std::string& path) {
  if (unlink(path.c_str()) == 0 || errno == ENOENT) return;
  throw IoError("cannot remove " + QuoteForMessage(path) + ": " + SystemReason());
}

}  // namespace phase_router::io
