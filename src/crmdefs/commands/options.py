"""Reusable click options (one definition, many commands), as in pip-tools' scripts/options.py."""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from crmdefs.config import Settings, load_settings, settings_from_text
from crmdefs.runtime import Runtime, read_runtime

F = TypeVar("F", bound=Callable[..., Any])


NO_COLOR = "crmdefs.no_color"  # click context meta: --no-color was given, before or after the command name


def build_settings(config: Path | None, definitions: Path | None) -> Settings:
    """The one place the command layer hands the process environment to config (read there, once);
    ``--no-color`` joins NO_COLOR here."""
    settings = load_settings(config=config, definitions=definitions, cwd=Path.cwd(), environ=os.environ)
    return dataclasses.replace(settings, runtime=_with_no_color(settings.runtime))


def _with_no_color(runtime: Runtime) -> Runtime:
    context = click.get_current_context(silent=True)
    if context is not None and context.meta.get(NO_COLOR):
        return dataclasses.replace(runtime, no_color=True)
    return runtime


def settings_for_config(text: str, path: Path) -> Settings:
    """`crmdefs init`: the settings a crmdefs.yaml will give once ``text`` is written to ``path``."""
    return settings_from_text(text, path=path, environ=os.environ)


def build_runtime() -> Runtime:
    """The environment's settings alone, for a command that needs no project (``sandbox serve --state``)."""
    return _with_no_color(read_runtime(os.environ))


def project_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--config and --definitions, turned into the ``settings`` argument the command receives."""

    @functools.wraps(func)
    def with_settings(*args: Any, config: Path | None, definitions: Path | None, **kwargs: Any) -> Any:
        settings = build_settings(config, definitions)
        if "target" in kwargs or "targets" in kwargs:  # a command that reads or writes a CRM
            announce_target(settings, kwargs.get("targets") or [kwargs.get("target")])
        return func(*args, settings=settings, **kwargs)

    return path_options(with_settings)


def announce_target(settings: Settings, names: Sequence[str | None]) -> None:
    """First, before anything else on stderr: a run on the built-in demo org says so, so that nobody takes
    its answer for their CRM's. A default that would silently be the demo while CRM credentials are set is
    refused here (Settings.target)."""
    if any(settings.target(name).builtin_sandbox for name in names):
        click.echo("target sandbox — the built-in demo org, not your CRM", err=True)


def path_options(func: F) -> F:
    """--config and --definitions as paths, for commands that may not need the settings at all."""
    func = click.option(
        "--definitions",
        "-d",
        "definitions",
        type=click.Path(path_type=Path),
        default=None,
        help="Definitions directory (default: 'definitions:' in crmdefs.yaml, else ./definitions).",
    )(func)
    func = click.option(
        "--config",
        "-c",
        "config",
        type=click.Path(path_type=Path),
        default=None,
        envvar="CRMDEFS_CONFIG",
        help="Path to crmdefs.yaml (default: ./crmdefs.yaml if present). Env: CRMDEFS_CONFIG.",
    )(func)
    return func


def target_option(func: F) -> F:
    return click.option(
        "--target",
        "-t",
        "target",
        default=None,
        envvar="CRMDEFS_TARGET",
        help="Target in crmdefs.yaml (default: default_target, else the sandbox). Env: CRMDEFS_TARGET.",
    )(func)


def format_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """--format text|json|markdown, and --json for --format json (the sf CLI's habit), as ``fmt``."""
    return formats_option(
        ("text", "json", "markdown"),
        "text for people, json for machines (format_version), markdown for PR comments.",
    )(func)


def formats_option(choices: Sequence[str], help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--format among ``choices`` (the first is the default) and --json, as the one ``fmt`` argument."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def with_format(*args: Any, fmt: str, as_json: bool, **kwargs: Any) -> Any:
            if as_json:
                given = click.get_current_context().get_parameter_source("fmt")
                if given is ParameterSource.COMMANDLINE and fmt != "json":
                    raise click.UsageError(f"--json means --format json, so it cannot go with --format {fmt}")
                fmt = "json"
            return func(*args, fmt=fmt, **kwargs)

        with_format = click.option("--json", "as_json", is_flag=True, help="The same as --format json.")(
            with_format
        )
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(list(choices)),
            default=choices[0],
            show_default=True,
            help=help,
        )(with_format)

    return decorate


def _no_color(context: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        context.meta[NO_COLOR] = True


def no_color_option(func: F) -> F:
    """--no-color, on the group (``crmdefs --no-color plan``) and on each command that colours its output
    (``crmdefs plan --no-color``), as pip takes its general options; the NO_COLOR variable does the
    same."""
    return click.option(
        "--no-color",
        is_flag=True,
        expose_value=False,
        callback=_no_color,
        help="No colours in the output, as with the NO_COLOR environment variable.",
    )(func)


def quiet_option(func: F) -> F:
    return click.option("--quiet", "-q", is_flag=True, help="No progress messages on stderr.")(func)


def migrate_option(func: F) -> F:
    return click.option(
        "--migrate-records",
        is_flag=True,
        help="Move records from values named in renamed_from to their new value, then retire the old ones.",
    )(func)
