# Cross build for 64-bit Arm Linux on a Debian/Ubuntu x86-64 host, with
# Debian's cross GCC and the :arm64 multiarch packages (tools/setup.sh --arm64).
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
#   ctest --test-dir build-arm64     # runs every binary under qemu-aarch64
# GCC, not clang: Highway 1.0.3 does runtime dispatch (NEON/SVE/SVE2) on
# arm64 with GCC only; clang would get the baseline target alone.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# Multiarch: the arm64 libraries and their CMake packages live in
# /usr/lib/aarch64-linux-gnu (hwy, GTest, benchmark); header-only packages
# (CLI11, nlohmann_json) in /usr/share/cmake; the cross runtime in
# /usr/aarch64-linux-gnu. Search both roots, never for programs (python3,
# the emulator are host programs).
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# ctest, gtest_discover_tests and add_test(COMMAND <target>) run the arm64
# binaries through qemu (no binfmt here). Plain qemu-aarch64: the program's
# loader and libraries all come from the :arm64 multiarch packages (libc6,
# libstdc++6, libgomp1). Do NOT add `-L /usr/aarch64-linux-gnu` or
# `-E LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib`: both mix the cross glibc
# (2.36-8cross1) with the multiarch one (2.36-9+deb12uN), and any program
# that starts a thread (OpenMP, std::thread) then hangs.
# The CPU model comes from the environment: QEMU_CPU=cortex-a72 (NEON),
# max (SVE2), "max,sve-default-vector-length=32" (SVE_256).
# Without qemu the project still builds; ctest then cannot run.
find_program(PHASE_ROUTER_QEMU_AARCH64 qemu-aarch64)
if(PHASE_ROUTER_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${PHASE_ROUTER_QEMU_AARCH64})
endif()
