"""Entry point: the only place where exceptions become output and exit codes."""

from __future__ import annotations

import sys

import click

from crmdefs import debuglog, exitcodes
from crmdefs.cli import cli
from crmdefs.errors import CrmdefsError, ProblemsError


def main(argv: list[str] | None = None) -> int:
    try:
        result = cli.main(args=argv, prog_name="crmdefs", standalone_mode=False)
    except ProblemsError as exc:
        for problem in exc.problems:
            click.echo(problem.render(), err=True)
        click.echo(f"crmdefs: {exc.summary()}", err=True)
        return exitcodes.ERROR
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
    except (click.Abort, KeyboardInterrupt):
        click.echo("Aborted.", err=True)
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
    return result if isinstance(result, int) else exitcodes.OK


if __name__ == "__main__":
    sys.exit(main())
