#!/bin/sh
# regen.sh MSGC - rewrites the expected outputs of every golden case from the given msgc.
#
# Each case tests/golden/<case>.msg is compiled as test_golden.c compiles it
# (--proto -I tests/golden), and its outputs become <case>.msg.h.expected,
# <case>.msg.c.expected and <case>.proto.expected. Review the diff like code.
set -eu

msgc=${1:?usage: sh tests/golden/regen.sh path/to/msgc}
dir=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

for schema in "$dir"/*.msg; do
    name=$(basename "$schema" .msg)
    "$msgc" --proto -I "$dir" -o "$tmp" "$schema"
    cp "$tmp/$name.msg.h" "$dir/$name.msg.h.expected"
    cp "$tmp/$name.msg.c" "$dir/$name.msg.c.expected"
    cp "$tmp/$name.proto" "$dir/$name.proto.expected"
    echo "regenerated $dir/$name"
done
