#!/usr/bin/env bash
# The installed package, as a user outside the tree sees it:
#   1. `cmake --install BUILD --prefix TMP`;
#   2. configures, builds and runs PROJECT (tests/install_project: C++ and C
#      consumers) with find_package(phase_router) from TMP;
#   3. builds and runs the same main.cc with `pkg-config phase_router`;
#   4. when the Python package was built, imports it (and phase_router.moe)
#      from the installed path.
# usage: install_test.sh BUILD_DIR PROJECT_DIR CMAKE CXX [CONFIG]
set -euo pipefail

build=$1 project=$2 cmake=$3 cxx=$4 config=${5:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/phase_router_install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"

fail() { echo "install_test: $*" >&2; exit 1; }

echo "== cmake --install $build --prefix $prefix"
"$cmake" --install "$build" --prefix "$prefix" ${config:+--config "$config"} >"$tmp/install.log" ||
  { cat "$tmp/install.log"; fail "cmake --install failed"; }
for f in include/phase_router/phase_router.h include/phase_router/phase_router_c.h; do
  [[ -f "$prefix/$f" ]] || fail "$f was not installed"
done
config_file=$(find "$prefix" -name phase_routerConfig.cmake | head -n 1)
[[ -n "$config_file" ]] || fail "phase_routerConfig.cmake was not installed"
pc_file=$(find "$prefix" -name phase_router.pc | head -n 1)
[[ -n "$pc_file" ]] || fail "phase_router.pc was not installed"

echo "== find_package(phase_router) from $prefix"
"$cmake" -S "$project" -B "$tmp/consumer" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release >"$tmp/configure.log" ||
  { cat "$tmp/configure.log"; fail "the outside project did not configure"; }
"$cmake" --build "$tmp/consumer" >"$tmp/build.log" ||
  { cat "$tmp/build.log"; fail "the outside project did not build"; }
"$tmp/consumer/consumer"
"$tmp/consumer/c_consumer"

echo "== pkg-config phase_router"
export PKG_CONFIG_PATH="$(dirname "$pc_file")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
read -r -a flags <<<"$(pkg-config --cflags --libs phase_router)"
echo "pkg-config --cflags --libs phase_router: ${flags[*]}"
"$cxx" -std=c++20 "$project/main.cc" "${flags[@]}" -o "$tmp/consumer_pc" ||
  fail "main.cc did not build with pkg-config's flags"
"$tmp/consumer_pc"
[[ "$(pkg-config --modversion phase_router)" == "$("$tmp/consumer/c_consumer" | awk '{print $3}')" ]] ||
  fail "pkg-config --modversion disagrees with pr_version()"

package=$(find "$prefix" -path '*-packages/phase_router/__init__.py' | head -n 1)
if [[ -n "$package" && -x /usr/bin/python3 ]]; then
  site=$(dirname "$(dirname "$package")")
  echo "== python import from $site"
  PYTHONPATH="$site" /usr/bin/python3 -c \
    'import phase_router, phase_router.moe; print("python:", phase_router.__version__, phase_router.route_degrees([2, 2], [2, 2], 1).tolist(), phase_router.moe.route(4, 2, 1).counts.tolist())'
fi
echo "install_test: the installed package works"
