"""All or nothing: a workbook/brand pair's outputs change in one atomic step.

build/<id>/<brand> is a symlink to a versioned sibling folder:

    build/<id>/<brand>     -> .<brand>.7          (what users and tools open)
    build/<id>/.<brand>.7/  html/ <id>.docx <id>.epub <id>-scorm12.zip ...
    build/<id>/.<brand>.lock                       (pipeline.locks: one build of the pair at a time)

A build renders into a new version folder (.<brand>.8), links in the outputs
it did not rebuild from the current one, then points a new symlink at it and
renames that over build/<id>/<brand> (`os.replace`, one atomic rename(2)).
A reader, or a build killed at any moment, sees the old set or the new set,
never a mixture; build/<id>/<brand>/html/index.html keeps working because the
path goes through the symlink. The old version is removed afterwards; a
version or staging folder left by a killed run is removed by the next build
of the pair, which holds the pair's lock, so no live build is using it.

Symlinks are POSIX behaviour: on Windows creating one needs Developer Mode or
an administrator, and this layout is not supported there.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

LINK_PREFIX = ".link-"


def lock_path(target: Path) -> Path:
    """The lock file of the pair whose outputs appear at `target` (build/<id>/<brand>)."""
    return target.parent / f".{target.name}.lock"


def _versions(target: Path) -> dict[int, Path]:
    pattern = re.compile(rf"\.{re.escape(target.name)}\.(\d+)")
    found = {}
    try:
        entries = list(os.scandir(target.parent))
    except FileNotFoundError:
        return {}
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match:
            found[int(match.group(1))] = Path(entry.path)
    return found


def current_version(target: Path) -> Path | None:
    """The version folder `target` points to, or None when it is missing or not a symlink."""
    if not target.is_symlink():
        return None
    return target.parent / os.readlink(target)


def _is_leftover(name: str, brand: str) -> bool:
    return (re.fullmatch(rf"\.{re.escape(brand)}\.\d+", name) is not None
            or name.startswith(f".{brand}-staging-")  # staging folders of builds before this layout
            or name.startswith(f".{brand}{LINK_PREFIX}"))


def remove_leftovers(target: Path) -> list[Path]:
    """Remove version, staging and half-made link entries of the pair other than the current version; return them.

    Call with the pair's lock held: only then is none of them in use.
    """
    import shutil

    keep = current_version(target)
    removed = []
    try:
        entries = list(os.scandir(target.parent))
    except FileNotFoundError:
        return []
    for entry in entries:
        path = Path(entry.path)
        if not _is_leftover(entry.name, target.name) or (keep is not None and path.name == keep.name):
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def adopt_plain_folder(target: Path) -> None:
    """Turn an output folder from before this layout (a real folder) into a version behind a symlink.

    This one-off change takes two renames, so a build killed between them
    leaves no build/<id>/<brand> until the next build; every later swap is one.
    """
    if target.is_symlink() or not target.is_dir():
        return
    version = _next_version_path(target)
    os.replace(target, version)
    _point(target, version)


def _next_version_path(target: Path) -> Path:
    versions = _versions(target)
    return target.parent / f".{target.name}.{max(versions, default=0) + 1}"


def new_version(target: Path) -> Path:
    """Make the (empty) folder the next version of the pair's outputs is rendered into."""
    target.parent.mkdir(parents=True, exist_ok=True)
    version = _next_version_path(target)
    version.mkdir()
    return version


def carry_over(target: Path, version: Path, rebuilt: set[str]) -> None:
    """Put every current output not in `rebuilt` into the new version unchanged: hard links where the file system allows, else copies.

    An incremental build (only some formats stale, or a --format build) so
    publishes a complete set, not only what it rendered.
    """
    import shutil

    current = current_version(target)
    if current is None or not current.is_dir():
        return
    for entry in sorted(os.scandir(current), key=lambda entry: entry.name):
        if entry.name in rebuilt or (version / entry.name).exists():
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.copytree(entry.path, version / entry.name, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(entry.path, version / entry.name)


def _link_or_copy(source, destination) -> None:
    import shutil

    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def publish(target: Path, version: Path) -> None:
    """Point `target` at `version` in one atomic rename, then remove the version it pointed to before."""
    import shutil

    previous = current_version(target)
    _point(target, version)
    if previous is not None and previous.name != version.name:
        shutil.rmtree(previous, ignore_errors=True)


def _point(target: Path, version: Path) -> None:
    link = target.parent / f".{target.name}{LINK_PREFIX}{os.getpid()}"
    link.unlink(missing_ok=True)
    os.symlink(version.name, link)  # relative: build/ can be moved or copied whole
    os.replace(link, target)
