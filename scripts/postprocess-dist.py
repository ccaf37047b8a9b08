"""What `scripts/build-display` does to Trunk's dist/ after the build.

Each step rewrites one file and renews that file's Subresource Integrity hash
in index.html (a stale hash would stop the browser loading it). A step that
cannot do its job fails the build with its reason (exit status 1): a silent
fallback once shipped a larger display without anyone noticing.
"""
import base64
import glob
import hashlib
import os
import subprocess
import sys

HTML = "dist/index.html"


def fail(why):
    """Stops the build, saying why."""
    print(f"build-display: postprocess-dist.py: {why}", file=sys.stderr)
    sys.exit(1)


def sri(data):
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def minify_js(old, path):
    """Trunk's minifier fails on wasm-bindgen's JS glue ("Failed to minify
    JS"): terser does it (~1.3 KB brotli of the budget)."""
    run = subprocess.run(["terser", "--module", "--compress", "--mangle"], input=old, capture_output=True)
    if run.returncode != 0 or not run.stdout:
        fail(f"terser failed on {path}: {run.stderr.decode()[:300]}")
    return run.stdout


def leb(b, i):
    r = s = 0
    while True:
        x = b[i]
        i += 1
        r |= (x & 0x7F) << s
        s += 7
        if x < 0x80:
            return r, i


def enc(n):
    out = bytearray()
    while True:
        x = n & 0x7F
        n >>= 7
        if n:
            out.append(x | 0x80)
        else:
            out.append(x)
            return bytes(out)


def drop_stream_exports(old, path):
    """leptos pulls in server_fn, whose wasm-streams crate exports three JS
    classes (IntoUnderlyingSource/Sink/ByteSource) the display never uses;
    exports are never dead code to wasm-bindgen, so they and all they reach
    stay in the wasm (~4.4 KB raw, ~1.3 KB brotli). Drop those exports from the
    export section (id 7) and let wasm-opt remove what they kept alive. The
    glue's classes only touch them when called, which nothing does."""
    out, i, dropped = bytearray(old[:8]), 8, 0
    while i < len(old):
        sid = old[i]
        size, j = leb(old, i + 1)
        end = j + size
        if sid != 7:
            out += old[i:end]
            i = end
            continue
        n, k = leb(old, j)
        kept = []
        for _ in range(n):
            ln, k2 = leb(old, k)
            name = old[k2:k2 + ln].decode()
            _, k4 = leb(old, k2 + ln + 1)
            if name.startswith(("intounderlying", "__wbg_intounderlying")):
                dropped += 1
            else:
                kept.append(old[k:k4])
            k = k4
        body = enc(len(kept)) + b"".join(kept)
        out += bytes([7]) + enc(len(body)) + body
        i = end
    if dropped == 0:
        fail(f"no wasm-streams exports in {path}: this step is obsolete "
             "(leptos no longer pulls them in?); remove it from the script")
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(out)
    if subprocess.run(["wasm-opt", "-Oz", tmp, "-o", tmp]).returncode != 0:
        os.remove(tmp)
        fail(f"wasm-opt failed on {path} after dropping the exports")
    with open(tmp, "rb") as f:
        new = f.read()
    os.remove(tmp)
    print(f"build-display: dropped {dropped} unused wasm-streams exports: wasm {len(old)} -> {len(new)} bytes")
    return new


def main():
    with open(HTML) as f:
        html = f.read()
    for pattern, step in (("dist/*.js", minify_js), ("dist/*.wasm", drop_stream_exports)):
        paths = glob.glob(pattern)
        if len(paths) != 1:
            fail(f"expected one {pattern}, found {paths}")
        for path in paths:
            with open(path, "rb") as f:
                old = f.read()
            if sri(old) not in html:
                fail(f"no integrity hash for {path} in {HTML}: cannot rewrite it safely")
            new = step(old, path)
            with open(path, "wb") as f:
                f.write(new)
            html = html.replace(sri(old), sri(new))
    with open(HTML, "w") as f:
        f.write(html)


main()
