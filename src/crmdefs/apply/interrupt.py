"""Ctrl-C while apply or revert writes: the first stops cleanly, a second stops at once.

Python's own Ctrl-C (KeyboardInterrupt in the main thread) would leave the writer threads running while
the command said "Aborted.", with nothing recorded. Instead, while a plan is written:

- the first Ctrl-C starts no new write; the writes in flight finish, the result lists what was written
  and what was not, the applied state records what was written (drift and the next plan stay true) and
  the command exits 130 (``Interrupted``), releasing the apply lock on its way out;
- a second Ctrl-C raises :class:`StoppedAtOnce`, which ``__main__`` turns into an immediate exit 130: the
  writes in flight are not waited for, the backup is on disk.

Signals reach the main thread only: called from another thread, nothing is installed and Ctrl-C keeps
Python's default behaviour.

Before any write (reading the target, the plan on the screen) Ctrl-C stops at once too, but says what it
stopped — :func:`ctrl_c_while_reading` — rather than Python's bare "Aborted.": the reads in flight are not
waited for (adapters.base.reading_pool), and nothing was written.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from crmdefs.definitions.load import display_path
from crmdefs.errors import StoppedAtOnce
from crmdefs.words import noun


class Interrupt:
    """Whether Ctrl-C asked the run to stop (``stopping`` is an adapters' ``Stopping``), and the backup
    taken so far, for the message of a second Ctrl-C."""

    def __init__(self) -> None:
        self._asked = threading.Event()
        self.backup: Path | None = None

    def stopping(self) -> bool:
        return self._asked.is_set()

    def ask(self) -> None:
        self._asked.set()


@contextmanager
def ctrl_c_stops_writes(note: Callable[[str], None]) -> Iterator[Interrupt]:
    """The ``with`` block's Ctrl-C handling as the module doc says; the previous handler comes back after."""
    interrupt = Interrupt()
    if threading.current_thread() is not threading.main_thread():
        yield interrupt
        return

    def handle(signum: int, frame: FrameType | None) -> None:
        if not interrupt.stopping():
            interrupt.ask()
            note(
                "Ctrl-C: no new write starts; waiting for the writes in flight to finish (press Ctrl-C "
                "again to stop at once without waiting)"
            )
            return
        raise StoppedAtOnce(stopped_at_once(interrupt.backup))

    previous = signal.signal(signal.SIGINT, handle)
    try:
        yield interrupt
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def ctrl_c_while_reading(targets: str | Sequence[str], *, writes: bool) -> Iterator[None]:
    """Ctrl-C in the ``with`` block (reading ``targets``, before any write) ends the command at once with
    exit 130, saying so; ``writes``: the command would have written later, so say that nothing was.
    Ctrl-C at the confirmation prompt keeps its own message (commands/console.py)."""
    try:
        yield
    except KeyboardInterrupt:
        names = [targets] if isinstance(targets, str) else list(targets)
        which = ", ".join(f"'{name}'" for name in names)
        nothing = " — nothing was written" if writes else ""
        raise StoppedAtOnce(
            f"interrupted (Ctrl-C) while reading {noun(len(names), 'target')} {which}{nothing}"
        ) from None


def stopped_at_once(backup: Path | None) -> str:
    if backup is None:
        return "stopped at once by a second Ctrl-C, before any write started: nothing was written"
    shown = display_path(backup)
    return (
        "stopped at once by a second Ctrl-C, without waiting for the writes in flight: what they did is "
        f"not known and drift's record of this apply was not updated. The backup of the previous state is "
        f"{shown} (undo with `crmdefs revert {shown}`); `crmdefs plan` shows what is left to write"
    )
