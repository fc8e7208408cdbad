#!/usr/bin/env python3
"""Smoke-test the browser stack used by Ecotone's Playwright tests.

Launches Debian's Chromium (never a Playwright-downloaded browser) headless
through the `playwright` Python package, loads a page with Chinese text from a
throwaway http.server on 127.0.0.1, checks that CJK glyphs really render (not
as "tofu" boxes), and writes a screenshot.

Usage:
    python scripts/check-browser.py [SCREENSHOT_PATH]   # default /tmp/check-browser.png

Environment:
    ECOTONE_CHROMIUM  browser executable (default /usr/bin/chromium); the same
                      variable the test suite's conftest.py reads

Exit status 0 on success; non-zero with a message on stderr otherwise.
Prerequisites: scripts/install-system-deps.sh (chromium, fonts-noto-cjk) and
`pip install playwright` in the venv. Do NOT run `playwright install`.
"""

from __future__ import annotations

import http.server
import os
import sys
import threading
import time
from typing import NoReturn

CHROMIUM_PATH = os.environ.get("ECOTONE_CHROMIUM") or "/usr/bin/chromium"

# Flags: --no-sandbox because CI runs as root; the networking/update/sync flags
# stop Chromium from calling Google services, which this machine's closed
# network refuses (noisy and slow otherwise).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

SAMPLE = "生态交错带 你好世界"

PAGE = f"""<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>Ecotone 浏览器检查</title>
<style>
  body {{ font-family: sans-serif; margin: 24px; }}
  h1 {{ font-size: 40px; }}
  p  {{ font-size: 24px; }}
</style></head>
<body>
  <h1 id="title">Ecotone {SAMPLE}</h1>
  <p>简体中文渲染测试 — 繁體中文 生態交錯帶 — English text 123.</p>
</body></html>
""".encode()


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args: object) -> None:
        pass


# Draw each character on a canvas and compare the pixels with a character that
# certainly has no glyph (private-use U+E000 -> tofu box). Identical pixels mean
# the CJK font is missing.
GLYPH_CHECK_JS = """
(chars) => {
  const draw = (ch) => {
    const c = document.createElement('canvas');
    c.width = 64; c.height = 64;
    const ctx = c.getContext('2d');
    ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, 64, 64);
    ctx.fillStyle = '#000'; ctx.font = '48px sans-serif'; ctx.textBaseline = 'top';
    ctx.fillText(ch, 4, 4);
    return c.toDataURL();
  };
  const tofu = draw('\\uE000');
  const out = {};
  for (const ch of chars) out[ch] = draw(ch) !== tofu;
  out.__distinct = new Set(chars.map(draw)).size === chars.length;
  return out;
}
"""


def fail(msg: str) -> NoReturn:
    print(f"check-browser: ERROR: {msg}", file=sys.stderr)
    sys.exit(1)


def main() -> int:
    out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/check-browser.png"  # noqa: S108
    if not os.access(CHROMIUM_PATH, os.X_OK):
        fail(
            f"{CHROMIUM_PATH} not found/executable: run scripts/install-system-deps.sh "
            "(or set ECOTONE_CHROMIUM)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        fail(
            "the 'playwright' package is not installed in this Python "
            f"({sys.executable}); install the project's dev dependencies"
        )

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"

    t0 = time.monotonic()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
            )
            try:
                page = browser.new_page(viewport={"width": 900, "height": 300}, locale="zh-CN")
                page.goto(url, wait_until="load", timeout=30_000)
                title = page.inner_text("#title")
                if SAMPLE not in title:
                    fail(f"page text mismatch: {title!r}")
                glyphs = page.evaluate(GLYPH_CHECK_JS, list("生态交错带"))
                page.screenshot(path=out, full_page=True)
                version = browser.version
            finally:
                browser.close()
    finally:
        server.shutdown()

    missing = [ch for ch, ok in glyphs.items() if ch != "__distinct" and not ok]
    if missing or not glyphs.get("__distinct"):
        fail(
            f"CJK glyphs render as tofu (missing: {''.join(missing)}); "
            "install fonts-noto-cjk (scripts/install-system-deps.sh)"
        )
    print(
        f"check-browser: OK: Chromium {version} rendered Chinese text; "
        f"screenshot {out} ({time.monotonic() - t0:.1f}s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
