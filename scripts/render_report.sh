#!/usr/bin/env bash
# Render a plan's report.html to a full-page PNG with headless Chromium, to look at it as a reader would.
#
#   scripts/render_report.sh PLAN_DIR_OR_HTML [PNG]
#
# PLAN_DIR_OR_HTML: a plan folder (its report.html; written first with `leveransplan report` when
# the folder has none) or an HTML file.
# PNG: where the screenshot goes (default: the HTML file's name with .png).
# Environment: WIDTH (default 1400) and HEIGHT (default 16000, the longest page shot; the empty
# rows below the page are then cut off) in pixels; LEVERANSPLAN and PYTHON (default: the ones in
# .venv beside this script, else on PATH; PYTHON needs Pillow, which matplotlib brings).
#
# Chromium is not a dependency of the tool. On Debian or Ubuntu: apt-get install -y chromium
# (as root; on Ubuntu the package may be chromium-browser); elsewhere install Chromium or Google
# Chrome and set CHROMIUM to its executable.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 || "$1" == "-h" || "$1" == "--help" ]]; then
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source_path="$1"
if [[ -d "$source_path" ]]; then
    html="$source_path/report.html"
    if [[ ! -f "$html" ]]; then
        tool="${LEVERANSPLAN:-}"
        if [[ -z "$tool" ]]; then
            if [[ -x "$here/../.venv/bin/leveransplan" ]]; then
                tool="$here/../.venv/bin/leveransplan"
            else
                tool="leveransplan"
            fi
        fi
        "$tool" report "$source_path"
    fi
elif [[ -f "$source_path" ]]; then
    html="$source_path"
else
    echo "render_report.sh: $source_path is neither a plan folder nor an HTML file" >&2
    exit 2
fi
png="${2:-${html%.html}.png}"
[[ "$png" == /* ]] || png="$PWD/$png"  # Chromium resolves a relative path against its own directory

browser="${CHROMIUM:-}"
if [[ -z "$browser" ]]; then
    for candidate in chromium chromium-browser google-chrome google-chrome-stable; do
        if command -v "$candidate" >/dev/null 2>&1; then
            browser="$(command -v "$candidate")"
            break
        fi
    done
fi
if [[ -z "$browser" ]]; then
    cat >&2 <<'MSG'
render_report.sh: Chromium is not installed.
Install it with:  apt-get update && apt-get install -y chromium    (Debian; as root)
              or: apt-get install -y chromium-browser               (Ubuntu)
or set CHROMIUM=/path/to/chrome. The report itself needs no browser to be written.
MSG
    exit 3
fi

url="file://$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
width="${WIDTH:-1400}"
height="${HEIGHT:-16000}"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --disable-gpu --no-sandbox --hide-scrollbars --user-data-dir="$profile" \
    --window-size="$width,$height" --screenshot="$png" "$url" >/dev/null 2>&1
if [[ ! -s "$png" ]]; then
    echo "render_report.sh: $browser wrote no screenshot" >&2
    exit 1
fi

# Full page: cut the empty rows below the page's end (they have the colour of the last row).
python="${PYTHON:-}"
if [[ -z "$python" ]]; then
    if [[ -x "$here/../.venv/bin/python" ]]; then python="$here/../.venv/bin/python"; else python=python3; fi
fi
"$python" - "$png" <<'PY' || echo "render_report.sh: Pillow not found; the PNG keeps its empty rows" >&2
import sys
from PIL import Image, ImageChops

path = sys.argv[1]
image = Image.open(path).convert("RGB")
background = Image.new("RGB", image.size, image.getpixel((image.width - 1, image.height - 1)))
box = ImageChops.difference(image, background).getbbox()
bottom = image.height if box is None else min(image.height, box[3] + 24)
if bottom >= image.height:
    print(f"{path}: the page may go on below {image.height} px; set HEIGHT higher", file=sys.stderr)
else:
    image.crop((0, 0, image.width, bottom)).save(path)
print(f"{path}: {image.width} x {bottom} px")
PY
echo "rendered from $html"
