#!/usr/bin/env bash
# Installs segrule from a build tree into a temporary prefix, then builds and
# runs examples/embed against that installed copy, out of tree: with CMake
# (find_package, shared and static), with pkg-config, from Python (ctypes),
# and the hot-reload demo while its rule file changes.
#
# Usage: tests/install/run.sh BUILD_DIR   (run from the repository root)
set -euo pipefail
build=$(cd "$1" && pwd)
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

cmake --install "$build" --prefix "$prefix" >/dev/null
for f in include/segrule/segrule.hpp include/segrule/segrule.h lib/libsegrule.a lib/libsegrule.so \
         lib/cmake/segrule/segruleConfig.cmake lib/pkgconfig/segrule.pc bin/segrule; do
  [ -e "$prefix/$f" ] || { echo "not installed: $f"; exit 1; }
done

cmake -S "$root/examples/embed" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/build" >/dev/null

expect() {  # expect NAME PATTERN < output
  local output
  output=$(cat)
  if ! grep -qF -- "$2" <<<"$output"; then
    echo "FAIL $1: output lacks: $2"
    echo "$output" | sed 's/^/  | /'
    exit 1
  fi
}

rules=$root/rulesets/retail-2025.seg
c1='{"id":"C1","value_tier":"private","customer_type":["savings"]'
"$work/build/embed_cpp" "$rules" | expect embed_cpp "$c1"
"$work/build/embed_cpp_static" "$rules" | expect embed_cpp_static "$c1"
"$work/build/embed_c" "$rules" | expect embed_c "{\"ok\":true,\"result\":$c1"
"$work/build/embed_c" "$rules" | expect embed_c 'API error: unknown or mistyped option `as_of`'

# pkg-config, plain C compiler.
PKG_CONFIG_PATH=$prefix/lib/pkgconfig cc "$root/examples/embed/embed.c" -o "$work/embed_c_pc" \
  $(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --cflags --libs segrule)
LD_LIBRARY_PATH=$prefix/lib "$work/embed_c_pc" "$rules" | expect embed_c_pkg_config "{\"ok\":true,\"result\":$c1"

python3 "$root/examples/embed/segrule_ctypes.py" "$rules" "$prefix/lib/libsegrule.so" \
  | expect segrule_ctypes "C1 is private, offered custom_portfolio, time_deposit"

# Hot reload: raise the gold threshold while the demo runs, then save a broken file.
cp "$rules" "$work/rules.seg"
record='{"id":"R1","age":40,"retired":false,"occupation":null,"opened":"2015-01-01","risk_level":"C3","credit_rating":"A","demand_deposits":0,"time_deposits":0,"wealth_products":0,"investments":0,"loans":0,"aum":250000,"monthly_txn_count":0,"products_held":[]}'
"$work/build/hot_reload" "$work/rules.seg" "$record" 4 >"$work/reload.out" &
demo=$!
sleep 1
sed -i 's/when aum >= 20万/when aum >= 30万/' "$work/rules.seg"
sleep 1
echo "this is not a rule" >>"$work/rules.seg"
wait $demo
expect hot_reload_serving '"value_tier":"gold"' <"$work/reload.out"
expect hot_reload_reloaded '"value_tier":"vip"' <"$work/reload.out"
expect hot_reload_rejected 'rejected new version, still serving' <"$work/reload.out"
echo "install: ok (headers, libsegrule.a, libsegrule.so, CMake package, pkg-config; C++, C, Python and hot-reload examples)"
