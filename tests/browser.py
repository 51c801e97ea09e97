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

# Runs in <head>: records resources that fail to load (the capture phase sees <img> errors)
# and, once the page has loaded, what it shows; hands that to the index page that framed it.
PROBE = """<script>
const failed = [];
window.addEventListener('error', e => failed.push((e.target && (e.target.src || e.target.href)) || String(e.message)),
                        true);
window.addEventListener('load', () => parent.postMessage({page: location.href, seen: {
  failed,
  images: [...document.images].map(i => [i.naturalWidth, i.naturalHeight]),
  tables: [...document.querySelectorAll('table')].map(t => t.querySelectorAll('tbody tr').length),
  headings: [...document.querySelectorAll('h2')].map(h => h.textContent),
  captions: [...document.querySelectorAll('figcaption')].map(c => c.textContent),
}}, '*'));
</script>"""

# Frames every probed page and writes what they report into its DOM for --dump-dom.
INDEX = """<!DOCTYPE html><html><head><meta charset='utf-8'><script>
const seen = {};
window.addEventListener('message', e => {
  seen[e.data.page] = e.data.seen;
  if (Object.keys(seen).length === COUNT) {
    const pre = document.createElement('pre');
    pre.id = 'probe';
    pre.textContent = JSON.stringify(seen);
    document.body.appendChild(pre);
  }
});
</script></head><body>FRAMES</body></html>"""


MISSING = "no chromium on PATH (Debian: apt-get install chromium); the browser check of the reports needs it"


def chromium_or_none() -> str | None:
    """The chromium binary, or None where there is none (an error under CI, which installs it)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and os.environ.get("CI"):
        pytest.fail(MISSING + " -- CI must install it")
    return found


def chromium() -> str:
    """The chromium binary; skips the test where there is none, fails under CI."""
    found = chromium_or_none()
    if found is None:
        pytest.skip(MISSING)
    return found


def _run(args: list[str], profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True,
                          timeout=120)


def probe(page: Path, profile: Path) -> dict:
    return probe_pages([page], profile)[page]


def probe_pages(pages: list[Path], profile: Path) -> dict[Path, dict]:
    """Load a copy of each page (beside it, so its relative links resolve) with the probe
    added, all framed by one index page in one browser start; return what each probe saw
    once its page had loaded."""
    copies = {}
    for page in pages:
        copy = page.with_name(f".probe_{page.name}")
        copy.write_text(page.read_text().replace("<head>", "<head>" + PROBE, 1))
        copies[copy.resolve().as_uri()] = page
    index = profile.parent / f"{profile.name}_index.html"
    index.parent.mkdir(parents=True, exist_ok=True)
    frames = "".join(f"<iframe src='{uri}' width='1280' height='800'></iframe>" for uri in copies)
    index.write_text(INDEX.replace("COUNT", str(len(copies))).replace("FRAMES", frames))
    try:
        out = _run(["--virtual-time-budget=20000", "--dump-dom", index.resolve().as_uri()], profile)
    finally:
        for uri in copies:
            Path(uri.removeprefix("file://")).unlink()
    found = re.search(r'<pre id="probe">(.*?)</pre>', out.stdout, re.S)
    assert found, f"not every page finished loading: {out.stdout[-800:]} {out.stderr[-2000:]}"
    seen = json.loads(html.unescape(found.group(1)))
    return {copies[uri]: result for uri, result in seen.items()}


def screenshot(page: Path, png: Path, profile: Path, width: int = 1280, height: int = 2400) -> Path:
    out = _run([f"--window-size={width},{height}", f"--screenshot={png}", page.resolve().as_uri()], profile)
    assert png.is_file(), out.stderr[-2000:]
    return png
