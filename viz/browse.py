"""Open a build's index page in the user's browser, or say where it is when none can start."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from kg.errors import BuildDirError


def open_index(folder: Path) -> tuple[Path, bool]:
    """(path of FOLDER/index.html, whether a browser was started on it)."""
    path = (folder / "index.html").resolve()
    if not path.is_file():
        raise BuildDirError(
            f"{folder}: no index.html; run 'kg build INPUT... -o {folder}' or 'kg viz {folder}'"
        )
    return path, open_in_browser(path)


def open_in_browser(path: Path) -> bool:
    """Start the default browser on a file; False where there is no desktop or no browser.

    Without $BROWSER or a desktop session (DISPLAY, WAYLAND_DISPLAY, macOS, Windows), Python's
    webbrowser would fall back to a text browser that takes over the terminal, so kg does not try.
    """
    import webbrowser

    has_desktop = any(os.environ.get(v) for v in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY"))
    if not has_desktop and sys.platform not in ("darwin", "win32"):
        return False
    try:
        return webbrowser.open(path.as_uri())
    except webbrowser.Error:
        return False
