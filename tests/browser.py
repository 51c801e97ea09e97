"""Open a page in headless Chromium (Debian's `chromium`): what the loaded page shows (image
natural sizes, table rows, failed resource loads) and a screenshot. No network is used."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]

# Runs in <head>: records resources that fail to load (capture phase sees <img> errors), and
# once the page has loaded writes what it shows into the DOM for --dump-dom to print.
PROBE = """<script>
const failed = [];
window.addEventListener('error', e => failed.push((e.target && (e.target.src || e.target.href)) || String(e.message)),
                        true);
window.addEventListener('load', () => {
  const pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify({
    failed,
    images: [...document.images].map(i => [i.naturalWidth, i.naturalHeight]),
    tables: [...document.querySelectorAll('table')].map(t => t.querySelectorAll('tbody tr').length),
    headings: [...document.querySelectorAll('h2')].map(h => h.textContent),
    captions: [...document.querySelectorAll('figcaption')].map(c => c.textContent),
  });
  document.body.appendChild(pre);
});
</script>"""


def chromium() -> str:
    """The chromium binary; skips the test where there is none, fails under CI."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        reason = "no chromium on PATH (Debian: apt-get install chromium); the browser check of the reports needs it"
        if os.environ.get("CI"):
            pytest.fail(reason + " -- CI must install it")
        pytest.skip(reason)
    return found


def _run(args: list[str], profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True,
                          timeout=120)


def probe(page: Path, profile: Path) -> dict:
    """Load a copy of `page` (beside it, so its relative links resolve) with the probe added;
    return what the probe saw once the page loaded."""
    text = page.read_text()
    copy = page.with_name(f".probe_{page.name}")
    copy.write_text(text.replace("<head>", "<head>" + PROBE, 1))
    try:
        out = _run(["--virtual-time-budget=10000", "--dump-dom", copy.resolve().as_uri()], profile)
    finally:
        copy.unlink()
    found = re.search(r'<pre id="probe">(.*?)</pre>', out.stdout, re.S)
    assert found, f"the page did not finish loading: {out.stdout[-500:]} {out.stderr[-2000:]}"
    return json.loads(html.unescape(found.group(1)))


def screenshot(page: Path, png: Path, profile: Path, width: int = 1280, height: int = 2400) -> Path:
    out = _run([f"--window-size={width},{height}", f"--screenshot={png}", page.resolve().as_uri()], profile)
    assert png.is_file(), out.stderr[-2000:]
    return png
