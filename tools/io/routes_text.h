// The text form of a routing: exactly the `routes` section of the golden
// case files (SPEC.md, golden/README.md).
#ifndef PHASE_ROUTER_TOOLS_IO_ROUTES_TEXT_H_
#define PHASE_ROUTER_TOOLS_IO_ROUTES_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace phase_router::io {

// M lines; line i is the k entries of row i (target ids, -1 padding)
// separated by one space and ended by '\n', e.g. "5 7 -1\n".
std::string FormatRoutesText(const int32_t* ids, size_t M, size_t k);

// The same text streamed to `stream` in buffers of about 1 MiB: the
// integers are formatted with std::to_chars (no locale, no stdio per
// number), so millions of entries cost a few fwrite calls, and memory stays
// bounded however large M * k is. `what` names the stream in errors; throws
// IoError when a write fails. Does not flush: the caller decides when
// (FlushOrThrow for standard output, AtomicOutputFile::Commit for files).
void WriteRoutesText(std::FILE* stream, const int32_t* ids, size_t M, size_t k,
                     const std::string& what);

// The bytes WriteRoutesText allocates for its buffer for M rows of k ids
// (the whole text at its longest, up to about 1 MiB, plus one row), for
// memory ceilings.
uint64_t RoutesTextBufferBytes(size_t M, size_t k);

// WriteRoutesText all-or-nothing into `path` (see AtomicOutputFile).
void WriteRoutesTextFile(const std::string& path, const int32_t* ids, size_t M,
                         size_t k);

}  // namespace phase_router::io

#endif  // PHASE_ROUTER_TOOLS_IO_ROUTES_TEXT_H_
