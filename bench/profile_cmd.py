"""Run one crmdefs command under cProfile in every thread, in CPU time, and save the merged stats.

    python bench/profile_cmd.py OUT.prof plan -q

``python -m cProfile`` sees only the main thread, where crmdefs mostly waits for its reading threads; this
profiles each thread with its own CPU clock (``time.thread_time``), so waiting costs nothing and the
reads' parsing shows where it happens. bench/run.py --profile uses it.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import threading
import time
from typing import Any

_profiles: list[cProfile.Profile] = []
_lock = threading.Lock()
_run = threading.Thread.run


def _profiled_run(self: threading.Thread) -> None:
    profile = cProfile.Profile(time.thread_time)
    with _lock:
        _profiles.append(profile)
    profile.enable()
    try:
        _run(self)
    finally:
        profile.disable()


def main() -> int:
    out, args = sys.argv[1], sys.argv[2:]
    threading.Thread.run = _profiled_run  # type: ignore[method-assign]
    from crmdefs.__main__ import main as crmdefs_main

    main_profile = cProfile.Profile(time.thread_time)
    code: Any = 0
    began = time.process_time()
    main_profile.enable()
    try:
        code = crmdefs_main(args)
    except SystemExit as exit_:
        code = exit_.code
    finally:
        main_profile.disable()
    stats = pstats.Stats(main_profile)
    for profile in _profiles:
        profile.create_stats()
        if profile.stats:  # type: ignore[attr-defined]
            stats.add(profile)
    stats.dump_stats(out)
    print(f"process CPU {time.process_time() - began:.2f} s", file=sys.stderr)
    return code if isinstance(code, int) else 1


if __name__ == "__main__":
    raise SystemExit(main())
