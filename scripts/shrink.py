#!/usr/bin/env python3
"""Runs binaryen's wasm-opt over the core module inside a WebAssembly component.

    scripts/shrink.py IN.wasm OUT.wasm

wasm-opt reads core modules only, and rustc's component for wasm32-wasip2 is a core module
wrapped by wasm-component-ld (its WIT types, the canonical ABI glue and two small shim modules).
So this finds the component's main core module (its largest core-module section), optimizes it
with `wasm-opt -Oz`, and puts it back in the same place; the rest of the component is kept byte
for byte. wasm-opt keeps every export and import signature, and may only drop imports nothing
calls, which the component's instantiation does not need. The result is checked where it runs:
the wasmtime suite and the real-Spin suite load and exercise exactly OUT.

WASM_OPT names the wasm-opt binary (default: `wasm-opt` on PATH; binaryen 108 or newer).
"""

import os
import subprocess
import sys
import tempfile

COMPONENT_HEADER = b"\0asm\x0d\x00\x01\x00"
MODULE_HEADER = b"\0asm\x01\x00\x00\x00"
CORE_MODULE_SECTION = 1
# What rustc's wasm32-wasip2 target emits by default; wasm-opt must neither reject these nor
# use anything beyond them.
FEATURES = [
    "--enable-bulk-memory",
    "--enable-multivalue",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-reference-types",
    "--enable-sign-ext",
]


def read_leb(data, at):
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def write_leb(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | 0x80 if value else byte)
        if not value:
            return bytes(out)


def sections(component):
    """(id, start of section, start of content, end) for each top-level section."""
    at = len(COMPONENT_HEADER)
    while at < len(component):
        section_id = component[at]
        size, content = read_leb(component, at + 1)
        yield section_id, at, content, content + size
        at = content + size
    if at != len(component):
        sys.exit("shrink: the component's last section runs past its end")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source, target = sys.argv[1], sys.argv[2]
    with open(source, "rb") as f:
        component = f.read()
    if not component.startswith(COMPONENT_HEADER):
        sys.exit(f"shrink: {source} is not a WebAssembly component")
    modules = [s for s in sections(component) if s[0] == CORE_MODULE_SECTION]
    if not modules:
        sys.exit(f"shrink: {source} holds no core module")
    _, start, content, end = max(modules, key=lambda s: s[3] - s[2])
    module = component[content:end]

    wasm_opt = os.environ.get("WASM_OPT", "wasm-opt")
    with tempfile.TemporaryDirectory() as scratch:
        before, after = os.path.join(scratch, "in.wasm"), os.path.join(scratch, "out.wasm")
        with open(before, "wb") as f:
            f.write(module)
        subprocess.run([wasm_opt, "-Oz", *FEATURES, before, "-o", after], check=True)
        with open(after, "rb") as f:
            optimized = f.read()
    if not optimized.startswith(MODULE_HEADER):
        sys.exit("shrink: wasm-opt did not write a core module")

    shrunk = (
        component[:start]
        + bytes([CORE_MODULE_SECTION])
        + write_leb(len(optimized))
        + optimized
        + component[end:]
    )
    with open(target, "wb") as f:
        f.write(shrunk)
    print(
        f"shrink: {target}: {len(component):,} -> {len(shrunk):,} bytes "
        f"(core module {len(module):,} -> {len(optimized):,} with wasm-opt -Oz)"
    )


if __name__ == "__main__":
    main()
