"""Reusable click options (one definition, many commands), as in pip-tools' scripts/options.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def project_options(func: F) -> F:
    """--config and --definitions: where the project's files are."""
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


def format_option(func: F) -> F:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json", "markdown"]),
        default="text",
        show_default=True,
        help="text for people, json for machines (format_version), markdown for PR comments.",
    )(func)


def quiet_option(func: F) -> F:
    return click.option("--quiet", "-q", is_flag=True, help="No progress messages on stderr.")(func)


def migrate_option(func: F) -> F:
    return click.option(
        "--migrate-records",
        is_flag=True,
        help="Move records from values named in renamed_from to their new value, then retire the old ones.",
    )(func)
