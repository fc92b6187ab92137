"""A time and output-size budget for rendering a brand's template overrides.

    with template_budget(brand.templates_dir):   # around one page set
        ...                                      # templates of a `BudgetedSandbox` environment render

The sandbox keeps a brand template away from Python and files, but not from
running long or writing much: `{% for i in range(99999) %}{% for j in
range(99999) %}` or `lipsum(n=10**6)` would hang a build or fill its memory.
Inside `template_budget`, rendering stops with a `UserError` at the brand
template's file and line [brand.template-budget] when

- a page set (one `render_pages`) takes longer than TIME_BUDGET_SECONDS, or
- one page's text, one call's or filter's result, or one repetition would
  exceed PAGE_BUDGET_CHARACTERS.

Time (and, in the main thread, the process's memory growth against
MEMORY_BUDGET_BYTES) is checked as each piece of a page is produced, on every call a template
makes and, in the main thread, by an interval timer (SIGALRM), which also
stops a loop inside a macro that produces nothing until it ends. Arguments
asking for more than the page budget (`"x"|center(10**9)`, `"x" * 10**9`,
`9 ** 10**9`, a format width of 10**9, `lipsum(n=10**6)`) are refused before
the work starts, because such work happens
inside a single C call that no timer interrupts. Base templates alone (no
brand templates) render without a budget: they are the toolkit's own code.
"""
from __future__ import annotations

import contextlib
import functools
import os
import re
import signal
import threading
import time
from pathlib import Path
from typing import Iterator

from jinja2 import Template

# Seconds of this process's CPU time, not of the wall clock, so that a busy machine
# (a CI runner building many brands at once) does not refuse a template that is fine.
TIME_BUDGET_SECONDS = 5.0
PAGE_BUDGET_CHARACTERS = 20 * 1024 * 1024  # 20 MB of (mostly ASCII) page text
MEMORY_BUDGET_BYTES = 512 * 1024 * 1024  # growth of the process while a page set renders
_TIMER_INTERVAL = 0.1  # seconds between the timer's checks
_LARGEST_POWER_BITS = 1 << 20  # `a ** b` results above this many bits are refused before computing them


class TemplateBudgetExceeded(Exception):
    """Raised inside template code when rendering goes over its budget; turned into a UserError by `template_budget`."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


_state = threading.local()


def _deadline() -> float | None:
    return getattr(_state, "deadline", None)


def _check_time(from_timer: bool = False) -> None:
    deadline = _deadline()
    if deadline is None or time.process_time() <= deadline:
        return
    if from_timer and getattr(_state, "raised", False):
        return  # the timer raises once: the code unwinding from a breach must be able to finish
    _state.raised = True
    raise TemplateBudgetExceeded(f"rendering exceeds the time budget of {TIME_BUDGET_SECONDS:g} s per set of pages")


def _too_big(what: str) -> TemplateBudgetExceeded:
    _state.raised = True
    return TemplateBudgetExceeded(f"{what} exceeds the output budget of {PAGE_BUDGET_CHARACTERS // (1024 * 1024)} MB per page")


def _check_size(value: object) -> None:
    if isinstance(value, (str, bytes, list, tuple)) and len(value) > PAGE_BUDGET_CHARACTERS:
        raise _too_big("output")


# Work done in one C call that no timer interrupts, with its size in an argument:
# padding a string, or a format with a huge width ("{:>999999999}").
_PADDING = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})
_HUGE_WIDTH = re.compile(r"\d{8,}")


def _check_amplifying_call(name: str, subject: object, args, kwargs) -> None:
    values = (*args, *(value for key, value in kwargs.items() if not key.startswith("_")))  # not Jinja2's _block_vars
    if name in _PADDING and any(isinstance(value, int) and value > PAGE_BUDGET_CHARACTERS for value in values):
        raise _too_big(f"{name}({', '.join(map(str, values))})")
    if name in ("format", "format_map", "indent") and isinstance(subject, str) and _HUGE_WIDTH.search(subject):
        raise _too_big(f"a format with the width {_HUGE_WIDTH.search(subject).group()}")
    if name == "indent" and any(isinstance(value, int) and value > PAGE_BUDGET_CHARACTERS for value in values):
        raise _too_big(f"indent({', '.join(map(str, values))})")


class BudgetedTemplate(Template):
    """A template that, inside `template_budget`, renders piece by piece and checks the budget on each piece."""

    def render(self, *args, **kwargs) -> str:
        if _deadline() is None:
            return super().render(*args, **kwargs)
        context = self.new_context(dict(*args, **kwargs))
        pieces: list[str] = []
        size = 0
        breach = None
        generator = self.root_render_func(context)
        try:
            for piece in generator:
                size += len(piece)
                try:
                    if size > PAGE_BUDGET_CHARACTERS:
                        raise _too_big("page output")
                    _check_time()
                except TemplateBudgetExceeded as exc:
                    # The generators are paused at the template lines that were writing: note where, then stop.
                    exc.frames = _paused_template_lines(generator)
                    breach = exc
                    break
                pieces.append(piece)
        except TemplateBudgetExceeded as exc:
            # Raised by the timer or a check while a template line ran. Not through Jinja2's
            # traceback rewriting, which fails on a frame the signal caught between lines.
            exc.frames = _traceback_template_lines(exc.__traceback__)
            raise
        except Exception:
            self.environment.handle_exception()
        if breach is not None:
            generator.close()
            raise breach
        return "".join(pieces)


def _traceback_template_lines(traceback) -> list[tuple[str, int]]:
    """The (template file, line) of each compiled-template frame in a traceback, outermost first."""
    found = []
    while traceback is not None:
        template = traceback.tb_frame.f_globals.get("__jinja_template__")
        lineno = _line_of(traceback)
        if template is not None and template.filename and lineno is not None:
            found.append((template.filename, template.get_corresponding_lineno(lineno)))
        traceback = traceback.tb_next
    return found


def _line_of(traceback) -> int | None:
    """The line a traceback entry stopped on; for an instruction with no line of its own (a signal can stop there), the nearest before it."""
    if traceback.tb_lineno is not None:
        return traceback.tb_lineno
    positions = list(traceback.tb_frame.f_code.co_positions())[: traceback.tb_lasti // 2 + 1]
    return next((start for start, *_ in reversed(positions) if start is not None), None)


def _paused_template_lines(generator) -> list[tuple[str, int]]:
    """The (template file, line) of each paused render generator, outermost first (through `yield from` of blocks and includes)."""
    found = []
    while generator is not None and getattr(generator, "gi_frame", None) is not None:
        frame = generator.gi_frame
        template = frame.f_globals.get("__jinja_template__")
        if template is not None and template.filename:
            found.append((template.filename, template.get_corresponding_lineno(frame.f_lineno)))
        generator = getattr(generator, "gi_yieldfrom", None)
    return found


class BudgetedSandbox:
    """Mixin for a SandboxedEnvironment: calls, filters and repetitions are checked against the budget.

    Put it before SandboxedEnvironment in the bases:
    `class BrandSandbox(BudgetedSandbox, SandboxedEnvironment)`.
    """

    template_class = BudgetedTemplate
    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters = {name: _budgeted(name, function) for name, function in self.filters.items()}
        self.globals["lipsum"] = _budgeted_lipsum(self.globals["lipsum"])

    def call(self, __self, __obj, *args, **kwargs):  # noqa: N807 - Jinja2's signature
        if _deadline() is not None:
            _check_time()
            method = getattr(__obj, "__wrapped__", __obj)  # the sandbox hands out str.format wrapped
            _check_amplifying_call(getattr(method, "__name__", ""), getattr(method, "__self__", None), args, kwargs)
        result = super().call(__self, __obj, *args, **kwargs)
        if _deadline() is not None:
            _check_size(result)
            _check_time()
        return result

    def call_binop(self, context, operator, left, right):
        if _deadline() is not None:
            if operator == "*":
                for sequence, count in ((left, right), (right, left)):
                    if isinstance(sequence, (str, list, tuple)) and isinstance(count, int) and len(sequence) * count > PAGE_BUDGET_CHARACTERS:
                        raise _too_big("repeating a value")
            elif operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
                if abs(left) > 1 and max(abs(left).bit_length(), 1) * right > _LARGEST_POWER_BITS:
                    raise _too_big(f"{left} ** {right}")
        return super().call_binop(context, operator, left, right)


def _budgeted(name: str, function):
    @functools.wraps(function)  # keeps jinja_pass_arg, so context/environment filters still get theirs
    def checked(*args, **kwargs):
        if _deadline() is not None:
            values = list(args[1:] if getattr(function, "jinja_pass_arg", None) else args)  # past a context/environment argument
            if values:
                _check_amplifying_call(name, values[0], values[1:], kwargs)
        result = function(*args, **kwargs)
        if _deadline() is not None:
            _check_size(result)
        return result

    return checked


def _budgeted_lipsum(lipsum):
    @functools.wraps(lipsum)
    def checked(n: int = 5, html: bool = True, min: int = 20, max: int = 100):  # noqa: A002 - Jinja2's names
        # About 8 characters a word: refuse before generating rather than after.
        if _deadline() is not None and n * max * 8 > PAGE_BUDGET_CHARACTERS:
            raise _too_big(f"lipsum(n={n}, max={max})")
        return lipsum(n=n, html=html, min=min, max=max)

    return checked


@contextlib.contextmanager
def template_budget(templates_dir: Path | None) -> Iterator[None]:
    """Render the enclosed page set under the budget when a brand has templates; a breach becomes a UserError at the brand template's line."""
    if templates_dir is None or _deadline() is not None:  # no brand templates, or already inside a budget
        yield
        return
    from ..model import SourceLocation
    from ..problems import UserError, error

    _state.deadline = time.process_time() + TIME_BUDGET_SECONDS
    _state.raised = False
    timer = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    if timer:
        _state.memory = _resident_bytes()
        previous = signal.signal(signal.SIGALRM, _on_timer)
        signal.setitimer(signal.ITIMER_REAL, _TIMER_INTERVAL, _TIMER_INTERVAL)
    try:
        yield
    except TemplateBudgetExceeded as exc:
        file, line = _brand_frame(exc, Path(templates_dir))
        raise UserError(error(
            SourceLocation(file, line),
            f"template {exc.what}; brand templates may show the values they are given but not generate large or slow "
            "output (loops over big ranges, lipsum with many paragraphs)",
            "brand.template-budget",
        )) from None
    finally:
        if timer:
            signal.setitimer(signal.ITIMER_REAL, 0, 0)
            signal.signal(signal.SIGALRM, previous)
        _state.deadline = _state.memory = None


def _on_timer(signum, frame) -> None:
    _check_time(from_timer=True)
    # Joining strings (`~`) in a loop grows memory with no call or output to check: watch the process instead.
    start = getattr(_state, "memory", None)
    if start is not None and not getattr(_state, "raised", False) and _resident_bytes() - start > MEMORY_BUDGET_BYTES:
        _state.raised = True
        raise TemplateBudgetExceeded(f"rendering exceeds the memory budget of {MEMORY_BUDGET_BYTES // (1024 * 1024)} MB")


def _resident_bytes() -> int:
    """This process's resident memory (Linux /proc; 0 elsewhere, which turns the check off)."""
    try:
        with open("/proc/self/statm", "rb") as stream:
            return int(stream.read().split()[1]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return 0


_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _brand_frame(exc: BaseException, folder: Path) -> tuple[str, int | None]:
    """The innermost place in one of the brand's template files where the breach happened, else the folder.

    The template lines BudgetedTemplate noted (of the paused generators, or
    of the traceback's compiled-template frames), else the traceback's.
    """
    resolved = folder.resolve()
    places = getattr(exc, "frames", None) or _traceback_template_lines(exc.__traceback__)
    found: tuple[str, int | None] = (str(folder), None)
    for filename, line in places:
        if not filename.endswith(".py") and not filename.startswith("<") and Path(filename).resolve().is_relative_to(resolved):
            found = (filename, line)
    return found
