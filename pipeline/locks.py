"""A per-pair lock file, so two builds of one workbook/brand pair take turns.

    with pair_lock(Path("build/commissioning-services/.default.lock")):
        ...  # plan, render, swap: no other build of this pair runs meanwhile

The lock is `fcntl.flock` on a file that stays in place: the kernel drops it
when the process ends, however it ends (a killed build never leaves a lock
held). A lock file may be removed only by its holder (a failed first build
tidies its folder away); a waiter that then wins the lock of a removed file
sees that the path no longer names the file it locked, and starts again.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator


@contextlib.contextmanager
def pair_lock(path: Path) -> Iterator[int]:
    """Hold an exclusive lock on `path` (created if missing), waiting for another holder; yield its descriptor."""
    import fcntl  # POSIX only; Windows would need msvcrt.locking (not supported, as for the symlink swap)

    while True:
        path.parent.mkdir(parents=True, exist_ok=True)  # again after a holder removed an emptied folder
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            try:
                current = os.stat(path)
            except FileNotFoundError:
                current = None
            held = os.fstat(descriptor)
            if current is not None and (current.st_dev, current.st_ino) == (held.st_dev, held.st_ino):
                break
        except BaseException:
            os.close(descriptor)
            raise
        os.close(descriptor)  # the holder removed the file while we waited: lock the new one
    try:
        yield descriptor
    finally:
        os.close(descriptor)  # closing releases the flock


def remove_held_lock(path: Path) -> None:
    """Remove a lock file this process holds (before releasing it), so an emptied folder can go too."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


@contextlib.contextmanager
def pair_locks(paths: list[Path]) -> Iterator[None]:
    """Hold several pair locks, taken in sorted order so two runs sharing pairs cannot deadlock."""
    with contextlib.ExitStack() as stack:
        for path in sorted(set(paths)):
            stack.enter_context(pair_lock(path))
        yield
