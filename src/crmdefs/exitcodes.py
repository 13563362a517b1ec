"""The exit-code contract, written once (README "Exit codes" mirrors this table).

Terraform's ``-detailed-exitcode`` uses 0 / 1 / 2; click uses 2 for usage errors, which would collide,
so usage errors exit with 64 (``EX_USAGE`` from BSD ``sysexits.h``).
"""

from __future__ import annotations

OK = 0  # success; no changes / no problems
ERROR = 1  # an error: invalid definitions, bad config, an API failure
CHANGES = 2  # changes present (plan --detailed-exitcode, drift) or items overdue (review)
USAGE = 64  # the command line itself was wrong (unknown option, missing argument)
INTERRUPTED = 130  # stopped with Ctrl-C
