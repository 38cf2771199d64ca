#!/bin/sh
# shoal TOOL [ARGS...]: the front command of an installation. The tools live in
# PREFIX/libexec/shoal/ (names such as `fold` or `stitch` would clash on PATH); this runs
# one of them, so that `shoal fold ...` is `fold ...` of the repository's build/bin.
set -e
here=$(dirname "$(readlink -f "$0")")
libexec="$here/../libexec/shoal"
usage() {
  echo "Usage: shoal TOOL [ARGS...]   (shoal TOOL --help for a tool's options)"
  echo
  echo "Tools:"
  for t in "$libexec"/*; do
    [ -x "$t" ] && [ "$(basename "$t")" != onnx-lib ] && echo "  $(basename "$t")"
  done
}
case "${1:-}" in
  "" ) usage >&2; exit 2 ;;
  -h | --help ) usage; exit 0 ;;
  --version ) exec "$libexec/onnx-info" --version ;;
esac
tool=$1
shift
case $tool in
  */* | .*) echo "shoal: error: '$tool' is not a shoal tool" >&2; exit 2 ;;
esac
if [ ! -x "$libexec/$tool" ]; then
  echo "shoal: error: '$tool' is not a shoal tool (shoal --help lists them)" >&2
  exit 2
fi
exec "$libexec/$tool" "$@"
