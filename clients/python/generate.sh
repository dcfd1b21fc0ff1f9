#!/usr/bin/env bash
# Generates stickerd_client/stickerd_pb2.py from proto/stickerd.proto.
#
# Why a script and not only a build step: the tests and the minimal example run
# the package straight from the source tree (no install), and setup.py's build
# step calls this same script so both paths produce the same file. The output
# is not committed (.gitignore) so it can never drift from the .proto.
#
# Needs protoc 3.21 (Debian's protobuf-compiler), matching python3-protobuf.
# Env: PROTO_DIR overrides where stickerd.proto is found; OUT_DIR where the
# module is written (default: the stickerd_client package next to this file).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
proto_dir="${PROTO_DIR:-$here/../../proto}"
out_dir="${OUT_DIR:-$here/stickerd_client}"
if ! command -v protoc >/dev/null; then
  echo "generate.sh: protoc not found (apt-get install protobuf-compiler)" >&2
  exit 1
fi
if [[ ! -f "$proto_dir/stickerd.proto" ]]; then
  echo "generate.sh: $proto_dir/stickerd.proto not found (set PROTO_DIR)" >&2
  exit 1
fi
mkdir -p "$out_dir"
protoc --proto_path="$proto_dir" --python_out="$out_dir" "$proto_dir/stickerd.proto"
