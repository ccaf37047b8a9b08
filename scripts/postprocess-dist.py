"""What `scripts/build-display` does to Trunk's dist/ after the build.

Each step rewrites one file and renews that file's Subresource Integrity hash
in index.html (a stale hash would stop the browser loading it). Any surprise
leaves the file as it was and says so; the build still works, only larger.
"""
import base64
import glob
import hashlib
import os
import subprocess

HTML = "dist/index.html"


def sri(data):
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def minify_js(old, path):
    """Trunk's minifier fails on wasm-bindgen's JS glue ("Failed to minify
    JS"): terser does it (~1.3 KB brotli of the budget)."""
    run = subprocess.run(["terser", "--module", "--compress", "--mangle"], input=old, capture_output=True)
    if run.returncode != 0 or not run.stdout:
        print(f"build-display: terser failed on {path}; left unminified: {run.stderr.decode()[:300]}")
        return None
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
        return None
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(out)
    if subprocess.run(["wasm-opt", "-Oz", tmp, "-o", tmp]).returncode != 0:
        print("build-display: wasm-opt failed; exports left")
        os.remove(tmp)
        return None
    with open(tmp, "rb") as f:
        new = f.read()
    os.remove(tmp)
    print(f"build-display: dropped {dropped} unused wasm-streams exports: wasm {len(old)} -> {len(new)} bytes")
    return new


def main():
    with open(HTML) as f:
        html = f.read()
    for pattern, step in (("dist/*.js", minify_js), ("dist/*.wasm", drop_stream_exports)):
        for path in glob.glob(pattern):
            with open(path, "rb") as f:
                old = f.read()
            if sri(old) not in html:
                print(f"build-display: no integrity hash for {path} in index.html; left as is")
                continue
            new = step(old, path)
            if new is None:
                continue
            with open(path, "wb") as f:
                f.write(new)
            html = html.replace(sri(old), sri(new))
    with open(HTML, "w") as f:
        f.write(html)


main()
