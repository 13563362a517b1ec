"""The terminal side of the workflows: progress on stderr for a person watching, long waits, results on
stdout, the plan in colour on a terminal, and the 'yes' prompt. Not a command: the commands share it."""

from __future__ import annotations

import math
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import TextIO

import click

from crmdefs.apply.execute import ApplyResult
from crmdefs.apply.report import result_lines
from crmdefs.config import Settings
from crmdefs.errors import ApplyCancelled, Interrupted
from crmdefs.plan.changes import Plan


def render_plan(plan: Plan, fmt: str, settings: Settings) -> str:
    from crmdefs.render import render

    color = fmt == "text" and sys.stdout.isatty() and not settings.runtime.no_color
    return render(plan, fmt, color=color)


def show_progress(quiet: bool) -> bool:
    """Progress lines are for a person watching a terminal: silent in pipes, CI logs and --quiet."""
    return not quiet and sys.stderr.isatty()


SHOWN_AFTER = 2.0  # seconds: a shorter wait passes unseen
TICK = 0.5  # seconds between updates of a wait's line on a terminal


@dataclass(eq=False)
class _Wait:
    reason: str
    seconds: float | None  # None: open-ended (an answer that has not come)
    started: float
    thread: int
    seen: bool = False  # considered for a line of its own (no terminal): printed, or folded into another
    printed: bool = False

    def due(self, now: float) -> bool:
        return (self.seconds or 0.0) > SHOWN_AFTER or now - self.started > SHOWN_AFTER

    def line(self, now: float, *, elapsed: bool) -> str:
        text = self.reason if self.seconds is None else f"{self.reason}, waiting {math.ceil(self.seconds)} s"
        if elapsed:
            return f"… {text} ({int(now - self.started)} s so far)"
        return f"… {text}" + (" (over 2 s so far)" if self.seconds is None else "")


class WaitLine:
    """The adapters' waits (``adapters.base.Waits``) shown on stderr once they last over 2 s. On a terminal
    one line, redrawn in place with the elapsed time of the latest wait, and erased when no wait is left;
    without one (CI logs) a line when a wait starts, and none for waits of the same reason meanwhile, so a
    rate limit that holds back twenty requests at once is one line, not twenty."""

    def __init__(self, *, shown: bool, stream: Callable[[], TextIO], tty: bool) -> None:
        self._shown, self._tty = shown, tty
        self._stream = stream
        # Reentrant: a Ctrl-C note (apply/interrupt.py) may clear the line in a thread that holds it.
        self._lock = threading.RLock()
        self._waits: list[_Wait] = []
        self._text = ""  # the line drawn in place (terminal)
        self._ticking = False

    @contextmanager
    def waiting(self, reason: str, seconds: float | None = None) -> Iterator[None]:
        if not self._shown:
            yield
            return
        wait = _Wait(reason, seconds, time.monotonic(), threading.get_ident())
        with self._lock:
            self._restart_answers(wait)
            self._waits.append(wait)
            self._refresh()
            if not self._ticking:
                self._ticking = True
                threading.Thread(target=self._tick, name="crmdefs-waits", daemon=True).start()
        try:
            yield
        finally:
            with self._lock:
                self._waits.remove(wait)
                self._restart_answers(wait)
                self._refresh()

    def _restart_answers(self, pause: _Wait) -> None:
        """A pause (a retry's, a rate limit's) inside a call is not the answer being slow: the thread's
        wait for an answer counts again from its start and its end."""
        if pause.seconds is not None:
            for wait in self._waits:
                if wait.seconds is None and wait.thread == pause.thread and not wait.seen:
                    wait.started = time.monotonic()

    def clear(self) -> None:
        """Erase the line drawn in place, before other output; the next tick draws it again."""
        with self._lock:
            self._erase()

    def _tick(self) -> None:
        while True:
            time.sleep(TICK)
            with self._lock:
                if not self._waits:
                    self._ticking = False
                    return
                self._refresh()

    def _refresh(self) -> None:  # holding the lock
        now = time.monotonic()
        due = [w for w in self._waits if w.due(now)]
        if self._tty:
            if due:
                self._draw(due[-1].line(now, elapsed=True))
            else:
                self._erase()
            return
        for wait in (w for w in due if not w.seen):
            wait.seen = True
            # Open-ended waits (an answer) fold into any shown wait; others into one of the same reason.
            folded = any(o.printed and (wait.seconds is None or o.reason == wait.reason) for o in self._waits)
            if not folded:
                wait.printed = True
                self._write(wait.line(now, elapsed=False) + "\n")

    def _draw(self, text: str) -> None:
        if text != self._text:
            self._write("\r" + text.ljust(len(self._text)))
            self._text = text

    def _erase(self) -> None:
        if self._text:
            self._write("\r" + " " * len(self._text) + "\r")
            self._text = ""

    def _write(self, text: str) -> None:
        stream = self._stream()
        stream.write(text)
        stream.flush()


class TerminalConsole:
    """:class:`crmdefs.apply.workflow.Console` on a terminal (or a pipe)."""

    def __init__(self, settings: Settings, *, quiet: bool) -> None:
        self._settings = settings
        self._progress = show_progress(quiet)
        self._waits = WaitLine(shown=not quiet, stream=lambda: sys.stderr, tty=sys.stderr.isatty())

    def waiting(self, reason: str, seconds: float | None = None) -> AbstractContextManager[None]:
        return self._waits.waiting(reason, seconds)

    def progress(self, message: str) -> None:
        if self._progress:
            self._waits.clear()
            click.echo(f"… {message}", err=True)

    def note(self, message: str) -> None:
        self._waits.clear()
        click.echo(message, err=True)

    def say(self, message: str) -> None:
        self._waits.clear()
        click.echo(message)

    def show_plan(self, plan: Plan) -> None:
        click.echo(render_plan(plan, "text", self._settings), nl=False)

    def show_result(self, result: ApplyResult) -> None:
        for line in result_lines(result):
            click.echo(line)

    def confirm(self, target: str) -> None:
        if not sys.stdin.isatty():
            raise ApplyCancelled(
                "apply needs confirmation but there is no terminal to ask — review the plan and pass "
                "--auto-approve, or apply a saved plan file"
            )
        try:
            answer = click.prompt(
                f"Apply these changes to target '{target}'? Only 'yes' will be accepted",
                default="",
                show_default=False,
            )
        except click.Abort:  # Ctrl-C (or end of input) at the prompt
            click.echo(err=True)  # past the terminal's "^C"
            raise Interrupted("aborted at the confirmation prompt — nothing was written") from None
        if answer.strip() != "yes":
            raise ApplyCancelled("apply cancelled — nothing was changed")
