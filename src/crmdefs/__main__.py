"""Entry point: the only place where exceptions become output and exit codes."""

from __future__ import annotations

import gc
import os
import sys
from typing import NoReturn

import click

from crmdefs import debuglog, exitcodes
from crmdefs.cli import cli
from crmdefs.errors import CrmdefsError, Interrupted, ProblemsError, StoppedAtOnce

# Python's full collections walk every object alive. A command builds large structures that live until it
# ends (the glossary, the fields' states, the plan) and makes almost no cyclic garbage: in a plan of 5,000
# Salesforce + 2,000 HubSpot fields its 10 full collections took 0.45 s and freed 40 objects. They now
# come after 1,000 younger collections instead of 10 (Python's default); the young generations, where
# garbage is, are collected as before. Restored when the command ends (tests run many in one process).
FULL_COLLECTION_AFTER = 1000


def main(argv: list[str] | None = None) -> int:
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0], thresholds[1], FULL_COLLECTION_AFTER)
    try:
        result = cli.main(args=argv, prog_name="crmdefs", standalone_mode=False)
    except ProblemsError as exc:
        for problem in exc.problems:
            click.echo(problem.render(), err=True)
        click.echo(f"crmdefs: {exc.summary()}", err=True)
        return exitcodes.ERROR
    except Interrupted as exc:  # the first Ctrl-C of an apply: it finished what was in flight
        click.echo(f"crmdefs: {exc}", err=True)
        return exitcodes.INTERRUPTED
    except StoppedAtOnce as exc:
        click.echo(f"crmdefs: {exc}", err=True)
        _exit_now(exitcodes.INTERRUPTED)
    except CrmdefsError as exc:
        debuglog.log_exception(exc)
        click.echo(f"crmdefs: error: {exc}", err=True)
        return exitcodes.ERROR
    except click.UsageError as exc:
        exc.show()
        return exitcodes.USAGE
    except click.ClickException as exc:
        exc.show()
        return exitcodes.ERROR
    except (click.Abort, KeyboardInterrupt) as exc:
        # Ctrl-C anywhere else (click turns it into Abort); a prompt's end of input stays "Aborted."
        ctrl_c = isinstance(exc, KeyboardInterrupt) or isinstance(exc.__cause__, KeyboardInterrupt)
        click.echo("crmdefs: interrupted (Ctrl-C)" if ctrl_c else "Aborted.", err=True)
        return exitcodes.INTERRUPTED
    except BrokenPipeError:  # `crmdefs schema | head`: the reader left; nothing more to say
        sys.stderr.close()
        return exitcodes.OK
    except Exception as exc:  # a bug in crmdefs: one line; the (redacted) traceback only with --debug
        debuglog.log_exception(exc, "internal error")
        where = "the traceback is above" if debuglog.active() else "run again with --debug for the traceback"
        what = debuglog.redact(f"{type(exc).__name__}: {exc}")
        click.echo(f"crmdefs: internal error: {what} — this is a bug; {where}, and report it", err=True)
        return exitcodes.ERROR
    finally:
        debuglog.disable()
        gc.set_threshold(*thresholds)
    return result if isinstance(result, int) else exitcodes.OK


def _exit_now(code: int) -> NoReturn:
    """End the process without waiting: Python joins every writer thread at exit, and the person who
    pressed Ctrl-C twice asked not to wait for the writes they are in."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
