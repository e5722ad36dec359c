#!/usr/bin/env python3
"""Runs binaryen's wasm-opt over the core module inside a WebAssembly component.

    scripts/shrink.py IN.wasm OUT.wasm

wasm-opt reads core modules only, and rustc's component for wasm32-wasip2 is a core module
wrapped by wasm-component-ld (its WIT types, the canonical ABI glue and two small shim modules).
So this finds the component's main core module (the one exporting the
`wasi:http/incoming-handler` function), optimizes it with `wasm-opt -Oz`, and puts it back in the
same place; the rest of the component is kept byte for byte. wasm-opt keeps every export and import signature, and may only drop imports nothing
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
EXPORT_SECTION = 7
HANDLER_EXPORT = "wasi:http/incoming-handler"
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


class Malformed(Exception):
    pass


def read_leb(data, at):
    value = shift = 0
    while True:
        if at >= len(data) or shift > 35:
            raise Malformed(f"a malformed LEB128 number at byte {at}")
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


def sections(binary, header_size=8):
    """(id, start of section, start of content, end) for each top-level section."""
    at = header_size
    while at < len(binary):
        section_id = binary[at]
        size, content = read_leb(binary, at + 1)
        if content + size > len(binary):
            raise Malformed(f"section {section_id} at byte {at} runs past the end")
        yield section_id, at, content, content + size
        at = content + size


def export_names(module):
    """The names a core module exports."""
    names = []
    for section_id, _, content, end in sections(module):
        if section_id == EXPORT_SECTION:
            count, at = read_leb(module, content)
            for _ in range(count):
                length, at = read_leb(module, at)
                names.append(module[at:at + length].decode("utf-8", "replace"))
                at += length + 1  # the name, then the kind byte
                _, at = read_leb(module, at)  # the index
    return names


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source, target = sys.argv[1], sys.argv[2]
    with open(source, "rb") as f:
        component = f.read()
    if not component.startswith(COMPONENT_HEADER):
        sys.exit(f"shrink: {source} is not a WebAssembly component")
    try:
        handlers = [s for s in sections(component) if s[0] == CORE_MODULE_SECTION
                    and any(HANDLER_EXPORT in name for name in export_names(component[s[2]:s[3]]))]
    except Malformed as error:
        sys.exit(f"shrink: {source}: {error}")
    if len(handlers) != 1:
        sys.exit(f"shrink: {source}: expected one core module exporting {HANDLER_EXPORT}, "
                 f"found {len(handlers)}")
    _, start, content, end = handlers[0]
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
    # Written whole, then renamed: a failed run never leaves half a component behind.
    with open(target + ".tmp", "wb") as f:
        f.write(shrunk)
    os.replace(target + ".tmp", target)
    print(
        f"shrink: {target}: {len(component):,} -> {len(shrunk):,} bytes "
        f"(core module {len(module):,} -> {len(optimized):,} with wasm-opt -Oz)"
    )


if __name__ == "__main__":
    main()
