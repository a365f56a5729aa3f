// Tests of the command-line tool's file formats (tools/io): PBM read/write,
// degree lists, and the routes text of the golden files.
#include <dirent.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tools/io/degrees.h"
#include "tools/io/file_io.h"
#include "tools/io/io_error.h"
#include "tools/io/parse_number.h"
#include "tools/io/pbm.h"
#include "tools/io/routes_text.h"

namespace phase_router::io {
namespace {

// Whether `text` contains `needle`, printing both when it does not (a
// plain-gtest stand-in for gmock's HasSubstr; this test links gtest only).
::testing::AssertionResult Contains(const std::string& text,
                                    const std::string& needle) {
  if (text.find(needle) != std::string::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "message \"" << text << "\" does not contain \"" << needle << "\"";
}

// A rows x cols 0/1 matrix with an irregular pattern (no period that lines
// up with bytes or words), from a fixed formula.
std::vector<uint8_t> PatternMatrix(size_t rows, size_t cols) {
  std::vector<uint8_t> m(rows * cols);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < cols; ++c) {
      m[r * cols + c] = ((r * 7 + c * c * 3 + (r ^ c)) % 5) < 2 ? 1 : 0;
    }
  }
  return m;
}

// The message of the IoError that `parse` throws; fails the test if none.
template <typename Parse>
std::string ErrorOf(Parse parse) {
  try {
    parse();
  } catch (const IoError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an IoError";
  return "";
}

std::string PbmErrorOf(const std::string& bytes) {
  return ErrorOf([&] { ParsePbm(bytes); });
}

std::string DegreesErrorOf(const std::string& text) {
  return ErrorOf([&] { ParseDegrees(text); });
}

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/" + name;
}

// Names in `dir` that start with `prefix` (to look for stray temp files).
std::vector<std::string> FilesStartingWith(const std::string& dir,
                                           const std::string& prefix) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* entry = readdir(d)) {
    const std::string name = entry->d_name;
    if (name.rfind(prefix, 0) == 0) names.push_back(name);
  }
  closedir(d);
  return names;
}

// ---------------------------------------------------------------- PBM ----

class PbmRoundTrip
    : public ::testing::TestWithParam<std::tuple<size_t, size_t>> {};

TEST_P(PbmRoundTrip, PlainAndRawGiveBackTheSameMatrix) {
  const auto [rows, cols] = GetParam();
  const std::vector<uint8_t> m = PatternMatrix(rows, cols);
  for (PbmEncoding encoding : {PbmEncoding::kPlain, PbmEncoding::kRaw}) {
    const PbmImage image = ParsePbm(FormatPbm(m.data(), rows, cols, encoding));
    EXPECT_EQ(image.rows, rows);
    EXPECT_EQ(image.cols, cols);
    EXPECT_EQ(image.pixels, m);
  }
}

// 1x1, sizes that are not whole bytes, and rows wider than 64 pixels and
// than netpbm's 70-character plain line.
INSTANTIATE_TEST_SUITE_P(
    OddSizes, PbmRoundTrip,
    ::testing::Values(std::make_tuple(1, 1), std::make_tuple(3, 7),
                      std::make_tuple(7, 3), std::make_tuple(130, 65),
                      std::make_tuple(65, 130), std::make_tuple(2, 200)));

TEST(PbmFormat, WidthIsColumnsAndHeightIsRows) {
  const std::vector<uint8_t> m = {1, 0, 1,  //
                                  0, 1, 1};
  EXPECT_EQ(FormatPbm(m.data(), 2, 3, PbmEncoding::kPlain),
            "P1\n3 2\n101\n011\n");
  // P4: rows padded to a byte, most significant bit first, zero padding.
  EXPECT_EQ(FormatPbm(m.data(), 2, 3, PbmEncoding::kRaw),
            std::string("P4\n3 2\n\xA0\x60", 9));
}

TEST(PbmFormat, PlainLinesStayWithinSeventyCharacters) {
  const std::vector<uint8_t> m = PatternMatrix(3, 150);
  const std::string text = FormatPbm(m.data(), 3, 150, PbmEncoding::kPlain);
  size_t line_start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n') continue;
    EXPECT_LE(i - line_start, 70u);
    line_start = i + 1;
  }
}

TEST(PbmParse, PlainRasterNeedsNoWhitespace) {
  const PbmImage image = ParsePbm("P1 4 2 01101001");
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{0, 1, 1, 0, 1, 0, 0, 1}));
}

TEST(PbmParse, PlainRasterMaySpreadPixelsOverLines) {
  const PbmImage image = ParsePbm("P1\n3 2\n0 1\n1\t1\r\n0\n0\n");
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{0, 1, 1, 1, 0, 0}));
}

TEST(PbmParse, CommentsInHeaderAndPlainRaster) {
  const PbmImage image = ParsePbm(
      "P1 # magic\n# a whole comment line\n3# width\n2 # height\n"
      "1 0 # the first row\n1\n# between pixels\n0 0 1\n# trailing comment");
  EXPECT_EQ(image.rows, 2u);
  EXPECT_EQ(image.cols, 3u);
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{1, 0, 1, 0, 0, 1}));
}

TEST(PbmParse, RawHeaderCommentsAndRasterBytesThatLookLikeWhitespace) {
  // After the height comes exactly one whitespace byte; raster bytes equal
  // to '\n' or ' ' must not be skipped as whitespace.
  const std::string bytes = std::string("P4\n# c\n8 2\n") + "\n ";
  const PbmImage image = ParsePbm(bytes);
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{0, 0, 0, 0, 1, 0, 1, 0,  //
                                                0, 0, 1, 0, 0, 0, 0, 0}));
}

TEST(PbmParse, RawPaddingBitsAreIgnored) {
  const PbmImage image = ParsePbm(std::string("P4 3 1\n\xFF", 8));
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{1, 1, 1}));
}

TEST(PbmParse, TrailingWhitespaceIsAccepted) {
  EXPECT_EQ(ParsePbm("P1 1 1 1 \n\n").pixels, std::vector<uint8_t>{1});
  EXPECT_EQ(ParsePbm(std::string("P4 1 1\n\x80\n", 9)).pixels,
            std::vector<uint8_t>{1});
}

TEST(PbmErrors, BadMagic) {
  EXPECT_TRUE(Contains(PbmErrorOf(""), "empty"));
  EXPECT_TRUE(Contains(PbmErrorOf("P2 1 1 0"), "magic"));
  EXPECT_TRUE(Contains(PbmErrorOf("P5 1 1 0"), "'P5'"));
  EXPECT_TRUE(Contains(PbmErrorOf("hello"), "not a PBM"));
  EXPECT_TRUE(Contains(PbmErrorOf("P14 1 1"), "magic"));
}

TEST(PbmErrors, MissingOrInvalidSize) {
  EXPECT_TRUE(Contains(PbmErrorOf("P1"), "missing PBM width"));
  EXPECT_TRUE(Contains(PbmErrorOf("P1 3 # no height\n"), "missing PBM height"));
  EXPECT_TRUE(Contains(PbmErrorOf("P1 x 3 0"), "invalid PBM width 'x'"));
  EXPECT_TRUE(Contains(PbmErrorOf("P1 3 -2 0"), "invalid PBM height '-2'"));
  EXPECT_TRUE(Contains(PbmErrorOf("P1 3 -2 0"), "negative"));
  EXPECT_TRUE(Contains(PbmErrorOf("P1 3x 2 0"), "'3x'"));
  EXPECT_TRUE(Contains(PbmErrorOf("P1 99999999999999999999 1 0"), "too large"));
}

TEST(PbmErrors, ZeroWidthOrHeight) {
  EXPECT_TRUE(Contains(PbmErrorOf("P1 0 3\n"), "width is 0"));
  EXPECT_TRUE(Contains(PbmErrorOf("P4 3 0\n"), "height is 0"));
}

TEST(PbmErrors, HugeSizesAreRefusedBeforeAllocating) {
  // Each would need terabytes; the parser must say so, not try.
  EXPECT_TRUE(Contains(PbmErrorOf("P4 4294967296 4294967296\n"), "too large"));
  EXPECT_TRUE(Contains(PbmErrorOf("P1 18446744073709551615 2\n"), "too large"));
  EXPECT_TRUE(Contains(PbmErrorOf("P1 131072 131073\n0"), "2^34"));
  // Just under the ceiling but with no raster: truncated, not allocated.
  EXPECT_TRUE(Contains(PbmErrorOf("P1 131072 131072\n0"), "truncated"));
  EXPECT_TRUE(Contains(PbmErrorOf("P4 131072 131072\n0"), "truncated"));
}

TEST(PbmErrors, TruncatedRaster) {
  EXPECT_TRUE(Contains(PbmErrorOf("P1 3 2\n0 1 1 0 1"), "truncated P1"));
  EXPECT_TRUE(
      Contains(PbmErrorOf("P1 3 2\n011 01    "), "expected 6 pixels, found 5"));
  EXPECT_TRUE(
      Contains(PbmErrorOf("P4 9 2\n\x01\x02\x03"), "truncated P4 raster"));
  EXPECT_TRUE(Contains(PbmErrorOf("P4 9 2"), "truncated P4"));
}

TEST(PbmErrors, InvalidRasterCharacter) {
  const std::string message = PbmErrorOf("P1 3 2\n010\n1x1\n");
  EXPECT_TRUE(Contains(message, "invalid P1 raster character 'x'"));
  EXPECT_TRUE(Contains(message, "row 1, column 1"));
  EXPECT_TRUE(Contains(message, "line 3"));
  EXPECT_TRUE(Contains(PbmErrorOf("P1 2 1\n2 0"), "'2'"));
}

TEST(PbmErrors, TrailingGarbage) {
  EXPECT_TRUE(Contains(PbmErrorOf("P1 2 1\n01 1"),
                       "unexpected data after the PBM raster"));
  EXPECT_TRUE(Contains(PbmErrorOf("P1 2 1\n01\nhello"), "'hello'"));
  EXPECT_TRUE(Contains(PbmErrorOf(std::string("P4 8 1\n\xFF\xFF", 9)),
                       "unexpected data after the PBM raster"));
  // A second image in the same file is refused, not silently ignored.
  EXPECT_TRUE(Contains(PbmErrorOf("P1 1 1 1\nP1 1 1 0\n"), "multi-image"));
}

TEST(PbmErrors, RawHeaderMustEndInOneWhitespaceByte) {
  EXPECT_TRUE(Contains(PbmErrorOf("P4 8 1#c\n\xFF"), "whitespace"));
}

TEST(PbmFile, MessagesNameTheFile) {
  const std::string path = TempPath("io_test_bad.pbm");
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fputs("P1 2 2\n0 1 1\n", f);
  std::fclose(f);
  const std::string message = ErrorOf([&] { ReadPbmFile(path); });
  EXPECT_TRUE(Contains(message, path + ": "));
  EXPECT_TRUE(Contains(message, "truncated"));
  unlink(path.c_str());
}

TEST(PbmFile, MissingFileIsAnIoError) {
  const std::string message =
      ErrorOf([] { ReadPbmFile(TempPath("io_test_does_not_exist.pbm")); });
  EXPECT_TRUE(Contains(message, "cannot open"));
  EXPECT_TRUE(Contains(message, "io_test_does_not_exist.pbm"));
}

TEST(PbmFile, WriteThenReadBothEncodings) {
  const std::vector<uint8_t> m = PatternMatrix(7, 3);
  for (PbmEncoding encoding : {PbmEncoding::kPlain, PbmEncoding::kRaw}) {
    const std::string path = TempPath("io_test_roundtrip.pbm");
    WritePbmFile(path, m.data(), 7, 3, encoding);
    const PbmImage image = ReadPbmFile(path);
    EXPECT_EQ(image.rows, 7u);
    EXPECT_EQ(image.cols, 3u);
    EXPECT_EQ(image.pixels, m);
    unlink(path.c_str());
  }
}

// ------------------------------------------------------------ degrees ----

TEST(Degrees, ParsesAnyWhitespaceAndTheFullRange) {
  EXPECT_EQ(ParseDegrees("3 0\n\t4294967295\r\n 007  "),
            (std::vector<uint32_t>{3, 0, 4294967295u, 7}));
  EXPECT_EQ(ParseDegrees("5"), (std::vector<uint32_t>{5}));
}

TEST(Degrees, NegativeTokenIsNamedByIndexAndText) {
  const std::string message = DegreesErrorOf("1 2\n-3 4");
  EXPECT_TRUE(Contains(message, "token 3 '-3'"));
  EXPECT_TRUE(Contains(message, "negative"));
  EXPECT_TRUE(Contains(message, "line 2"));
}

TEST(Degrees, NonNumericTokens) {
  EXPECT_TRUE(Contains(DegreesErrorOf("1 two 3"), "token 2 'two'"));
  EXPECT_TRUE(Contains(DegreesErrorOf("1 two 3"), "not a decimal integer"));
  EXPECT_TRUE(Contains(DegreesErrorOf("0x10"), "token 1 '0x10'"));
  EXPECT_TRUE(Contains(DegreesErrorOf("+5"), "token 1 '+5'"));
  EXPECT_TRUE(Contains(DegreesErrorOf("1.5"), "'1.5'"));
  EXPECT_TRUE(Contains(DegreesErrorOf("4,5"), "'4,5'"));
}

TEST(Degrees, ValuesAboveUint32AreRefused) {
  EXPECT_TRUE(Contains(DegreesErrorOf("1 4294967296"), "token 2 '4294967296'"));
  EXPECT_TRUE(Contains(DegreesErrorOf("1 4294967296"), "too large"));
  EXPECT_TRUE(Contains(DegreesErrorOf("99999999999999999999999"), "too large"));
}

TEST(Degrees, EmptyInputIsRefused) {
  EXPECT_TRUE(Contains(DegreesErrorOf(""), "no degrees"));
  EXPECT_TRUE(Contains(DegreesErrorOf(" \n\t\n"), "no degrees"));
}

TEST(Degrees, LongTokensAreShortenedInMessages) {
  const std::string message = DegreesErrorOf(std::string(1000, 'z'));
  EXPECT_TRUE(Contains(message, "..."));
  EXPECT_LT(message.size(), 300u);
}

TEST(Degrees, FileMessagesNameTheFile) {
  const std::string path = TempPath("io_test_degrees.txt");
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fputs("1 2 x", f);
  std::fclose(f);
  EXPECT_TRUE(Contains(ErrorOf([&] { ReadDegreesFile(path); }),
                       path + ": degree token 3 'x'"));
  unlink(path.c_str());
}

// ------------------------------------------------------- parse_number ----

TEST(ParseNumber, DecimalOnly) {
  EXPECT_EQ(ParseDecimalU64("0"), 0u);
  EXPECT_EQ(ParseDecimalU64("18446744073709551615"), UINT64_MAX);
  EXPECT_FALSE(ParseDecimalU64("18446744073709551616"));
  EXPECT_FALSE(ParseDecimalU64(""));
  EXPECT_FALSE(ParseDecimalU64("-0"));
  EXPECT_FALSE(ParseDecimalU64("+1"));
  EXPECT_FALSE(ParseDecimalU64(" 1"));
  EXPECT_FALSE(ParseDecimalU64("1 "));
  EXPECT_FALSE(ParseDecimalU64("0x1"));
}

// -------------------------------------------------------- routes text ----

// golden/n8_seed0.case (M 8, k 3; SPEC.md v2): its `routes` section, byte
// for byte.
constexpr char kGoldenN8Routes[] =
    "3 -1 -1\n"
    "0 7 -1\n"
    "1 -1 -1\n"
    "2 -1 -1\n"
    "0 6 -1\n"
    "7 -1 -1\n"
    "2 -1 -1\n"
    "-1 -1 -1\n";
const std::vector<int32_t> kGoldenN8Ids = {3,  -1, -1, 0,  7,  -1, 1,  -1,
                                           -1, 2,  -1, -1, 0,  6,  -1, 7,
                                           -1, -1, 2,  -1, -1, -1, -1, -1};

TEST(RoutesText, MatchesTheGoldenFormat) {
  EXPECT_EQ(FormatRoutesText(kGoldenN8Ids.data(), 8, 3), kGoldenN8Routes);
}

TEST(RoutesText, ExtremeValuesAndSingleColumn) {
  const std::vector<int32_t> ids = {INT32_MIN, INT32_MAX, 0};
  EXPECT_EQ(FormatRoutesText(ids.data(), 3, 1), "-2147483648\n2147483647\n0\n");
  EXPECT_EQ(FormatRoutesText(ids.data(), 1, 3), "-2147483648 2147483647 0\n");
  EXPECT_EQ(FormatRoutesText(ids.data(), 0, 3), "");
}

TEST(RoutesText, StreamingMatchesFormattingAcrossBufferFlushes) {
  // About 6 MB of text: several 1 MiB flushes, with rows straddling them.
  const size_t M = 100003, k = 7;
  std::vector<int32_t> ids(M * k);
  for (size_t n = 0; n < ids.size(); ++n) {
    ids[n] =
        (n % 11 == 0) ? -1 : static_cast<int32_t>(n * 2654435761u % 100000);
  }
  const std::string path = TempPath("io_test_routes_stream.txt");
  WriteRoutesTextFile(path, ids.data(), M, k);
  std::FILE* f = std::fopen(path.c_str(), "rb");
  ASSERT_NE(f, nullptr);
  std::string written;
  char chunk[1 << 16];
  size_t got;
  while ((got = std::fread(chunk, 1, sizeof(chunk), f)) > 0) {
    written.append(chunk, got);
  }
  std::fclose(f);
  EXPECT_EQ(written, FormatRoutesText(ids.data(), M, k));
  unlink(path.c_str());
}

TEST(RoutesText, FileWriteReplacesAndLeavesNoTempFile) {
  const std::string path = TempPath("io_test_routes_replace.txt");
  WriteRoutesTextFile(path, kGoldenN8Ids.data(), 8, 3);
  WriteRoutesTextFile(path, kGoldenN8Ids.data(), 1, 3);  // overwrite
  const std::string written = [&] {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    char buffer[64] = {};
    const size_t got = f ? std::fread(buffer, 1, sizeof(buffer), f) : 0;
    if (f) std::fclose(f);
    return std::string(buffer, got);
  }();
  EXPECT_EQ(written, "3 -1 -1\n");
  EXPECT_EQ(
      FilesStartingWith(::testing::TempDir(), "io_test_routes_replace.txt.tmp")
          .size(),
      0u);
  unlink(path.c_str());
}

TEST(RoutesText, UnwritableDirectoryIsAnIoError) {
  const std::string path = TempPath("io_test_no_such_dir/routes.txt");
  EXPECT_TRUE(Contains(
      ErrorOf([&] { WriteRoutesTextFile(path, kGoldenN8Ids.data(), 8, 3); }),
      "io_test_no_such_dir/routes.txt"));
}

TEST(AtomicOutput, AbandonedWriteLeavesTheOldFileAndNoTempFile) {
  const std::string path = TempPath("io_test_atomic.txt");
  WriteRoutesTextFile(path, kGoldenN8Ids.data(), 1, 3);
  {
    AtomicOutputFile file(path);
    WriteAll(file.stream(), "partial", 7, path);
    // No Commit(): as if an error was thrown before the write finished.
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  ASSERT_NE(f, nullptr);
  char buffer[64] = {};
  const size_t got = std::fread(buffer, 1, sizeof(buffer), f);
  std::fclose(f);
  EXPECT_EQ(std::string(buffer, got), "3 -1 -1\n");
  EXPECT_EQ(
      FilesStartingWith(::testing::TempDir(), "io_test_atomic.txt.tmp").size(),
      0u);
  unlink(path.c_str());
}

}  // namespace
}  // namespace phase_router::io
