"""Read an input file (source, brand file, settings) without trusting what it is or how big it says it is.

    data = read_input(path, MAX_SOURCE_BYTES, "source")   # bytes, or raises InputError

Only a regular file is read: a FIFO would block forever, a device such as
/dev/zero never ends, and a symlink loop cannot be opened. The file is opened
with O_NONBLOCK so that even a FIFO swapped in after the check cannot hang the
open, and at most `limit + 1` bytes are read, because stat() can lie (a
/proc file or a device reports size 0).
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

_CHUNK = 1 << 16


class InputError(Exception):
    """Why a file could not be read, as a message and a code suffix (`not-found`, `not-a-file`, `too-large`, `unreadable`)."""

    def __init__(self, message: str, kind: str, size: int | None = None, reason: str | None = None):
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.size = size  # for `too-large`: the size stat() reports, when it is past the limit too
        self.reason = reason  # for `unreadable`: the system's words (strerror), so a caller can name the file its own way


def read_input(path: Path | str, limit: int, what: str = "file") -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them; InputError otherwise."""
    path = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise InputError("no such file; check the path", "not-found") from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", "not-a-file") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError("is a symbolic link that leads back to itself (a link loop); point it at a real file", "not-a-file") from None
        if exc.errno == errno.ENXIO:  # a FIFO or socket with nothing behind it
            raise InputError(f"is not a regular file; an input {what} must be a plain file", "not-a-file") from None
        raise _unreadable(path, exc) from None
    try:
        status = os.fstat(descriptor)
        mode = status.st_mode
        if stat.S_ISDIR(mode):
            raise InputError("is a folder, not a file", "not-a-file")
        if not stat.S_ISREG(mode):
            raise InputError(f"is not a regular file ({_kind(mode)}); an input {what} must be a plain file", "not-a-file")
        os.set_blocking(descriptor, True)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(descriptor, min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            known = status.st_size if status.st_size > limit else None
            shown = f"{known:,} bytes, " if known else ""
            raise InputError(f"file is {shown}more than the {limit:,}-byte limit for a {what}; check that this is the right file", "too-large", known)
        return b"".join(chunks)
    except OSError as exc:
        raise _unreadable(path, exc) from None
    finally:
        os.close(descriptor)


def _unreadable(path: Path, exc: OSError) -> InputError:
    """`cannot read <file>: <reason>`, the words every reading problem in the toolkit uses."""
    reason = exc.strerror or str(exc)
    return InputError(f"cannot read {path}: {reason}", "unreadable", reason=reason)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a plain file"


def read_embedded(path: Path | str, limit: int | None = None, what: str = "image file") -> bytes:
    """The bytes of a file a renderer embeds (a figure's image, a logo), read as validation read it; a UserError naming it otherwise.

    Validation checked the file, but it may have changed since (replaced by a
    FIFO, grown past the limit, deleted): the renderer reads it again through
    the same bounded reader, with the validator's cap unless told otherwise,
    so a build can neither hang nor load an unbounded file into memory.
    """
    from .problems import UserError

    if limit is None:
        from .validate import MAX_IMAGE_BYTES as limit
    try:
        return read_input(path, limit, what)
    except InputError as exc:
        if exc.kind == "too-large":
            code = "figure.image-too-large" if what == "image file" else "brand.file-too-large"
            raise UserError(f"{path}: error: {what} is more than the {limit:,}-byte limit (it grew after it was checked): "
                            f"export a smaller one [{code}]") from None
        reason = {"not-found": os.strerror(errno.ENOENT), "unreadable": exc.reason}.get(exc.kind, exc.message)
        raise UserError(f"{path}: error: cannot read {path}: {reason} [source.unreadable]") from None
