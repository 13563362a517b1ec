"""The terminal side of the workflows: progress on stderr for a person watching, results on stdout, the
plan in colour on a terminal, and the 'yes' prompt. Not a command: the commands share it."""

from __future__ import annotations

import sys

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


class TerminalConsole:
    """:class:`crmdefs.apply.workflow.Console` on a terminal (or a pipe)."""

    def __init__(self, settings: Settings, *, quiet: bool) -> None:
        self._settings = settings
        self._progress = show_progress(quiet)

    def progress(self, message: str) -> None:
        if self._progress:
            click.echo(f"… {message}", err=True)

    def note(self, message: str) -> None:
        click.echo(message, err=True)

    def say(self, message: str) -> None:
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
