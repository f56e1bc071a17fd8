#!/usr/bin/env bash
# Opens a report.html in headless Chromium from a file:// URL and checks that it renders: every <img> decoded
# (report.html's inline script writes "loaded/total" into body[data-images-loaded] on window load) and a
# screenshot of the page is not blank. Needs /usr/bin/chromium and /usr/bin/python3, which it does not install
# (scripts/ensure-test-deps.sh does, before the suite).
# Usage: tests/browser-check.sh <report.html> [screenshot.png]    Exit 0 = rendered fine; otherwise says why.
set -euo pipefail

report=${1:?usage: browser-check.sh <report.html> [screenshot.png]}
[ -f "$report" ] || { echo "browser-check: no such file: $report" >&2; exit 2; }
report=$(realpath "$report")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shot=${2:-$work/screenshot.png}

for tool in /usr/bin/chromium /usr/bin/python3; do
  [ -x "$tool" ] || { echo "browser-check: $tool is missing; install it with scripts/ensure-test-deps.sh (as root)" >&2; exit 3; }
done

# No network, no profile left behind, nothing that phones home; the virtual time budget lets the load event fire
# (virtual time: independent of the machine's speed). `timeout 600` only catches a hung browser.
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --disable-dev-shm-usage --hide-scrollbars
       --virtual-time-budget=10000)
url="file://$report"

dom=$(timeout 600 /usr/bin/chromium "${flags[@]}" --user-data-dir="$work/dom-profile" --dump-dom "$url" 2>"$work/dom.log") \
  || { echo "browser-check: chromium failed to load the page" >&2; tail -5 "$work/dom.log" >&2; exit 4; }
loaded=$(printf '%s' "$dom" | grep -o 'data-images-loaded="[0-9]*/[0-9]*"' | head -n 1 | grep -o '[0-9]*/[0-9]*' || true)
[ -n "$loaded" ] || { echo "browser-check: the page's image check did not run (no data-images-loaded)" >&2; exit 5; }
ok=${loaded%/*}; total=${loaded#*/}
if [ "$total" -eq 0 ] || [ "$ok" -ne "$total" ]; then
  echo "browser-check: $ok of $total images loaded" >&2; exit 6
fi

timeout 600 /usr/bin/chromium "${flags[@]}" --user-data-dir="$work/shot-profile" --window-size=1200,2000 \
  --screenshot="$shot" "$url" >"$work/shot.log" 2>&1 \
  || { echo "browser-check: chromium failed to take a screenshot" >&2; tail -5 "$work/shot.log" >&2; exit 7; }
[ -s "$shot" ] || { echo "browser-check: no screenshot written" >&2; exit 7; }

# Decode the PNG (8-bit RGB/RGBA, non-interlaced, as Chromium writes it) and count distinct colours and dark pixels.
/usr/bin/python3 - "$shot" <<'PY' || exit 8
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8]); body = data[pos + 8:pos + 8 + n]; pos += 12 + n
    if kind == b"IHDR": w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT": idat += body
assert depth == 8 and ctype in (2, 6) and interlace == 0, f"unexpected PNG format {depth}/{ctype}/{interlace}"
bpp = 3 if ctype == 2 else 4; stride = w * bpp; raw = zlib.decompress(idat)
prev, colours, dark = bytearray(stride), set(), 0
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0; b = prev[i]; c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    if y % 4 == 0:
        for x in range(0, w, 4):
            px = bytes(line[x * bpp:x * bpp + 3]); colours.add(px); dark += sum(px) < 300
print(f"browser-check: screenshot {w}x{h}, {len(colours)} colours, {dark} dark samples")
if len(colours) < 16 or dark < 100: sys.exit("browser-check: the screenshot looks blank")
PY
echo "browser-check: OK: $loaded images loaded, screenshot not blank ($shot)"
