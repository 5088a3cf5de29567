"""Checks shared by the export commands: every problem is collected, then printed at once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lawlearn import localtime


def parse_day(value: str | None, option: str, problems: list[str]) -> date | None:
    """An ISO date option, or None (and a problem) when it is not one."""
    if value is None:
        return None
    try:
        return localtime.parse_day(value)
    except ValueError:
        problems.append(f"{option}: {value!r} is not a date from {localtime.YEARS[0]} to "
                        f"{localtime.YEARS[1]} (use YYYY-MM-DD, e.g. 2024-12-01).")
        return None


def check_out_path(out: Path, export_format: str, problems: list[str]) -> None:
    """``--out`` names a file in an existing folder, with the format's extension."""
    if out.is_dir():
        problems.append(f"--out: {out} is a directory; give a file name.")
    elif not out.parent.is_dir():
        problems.append(f"--out: the folder {out.parent} does not exist.")
    elif out.suffix.lower() != f".{export_format}":
        problems.append(f"--out: {out.name} should end with .{export_format} for "
                        f"--format {export_format}.")
