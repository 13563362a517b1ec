"""crmdefs benchmark: plan, apply and drift on synthetic orgs in the sandbox, against a naive baseline.

    python bench/run.py --quick          # the small org, < 2 minutes
    python bench/run.py                  # 100/50, 1,000/500 and 5,000/2,000 fields/properties (~15 min)
    python bench/run.py --json out.json  # also write the raw figures
    python bench/run.py --size 5000,2000 --commands plan,drift   # one org, some commands
    python bench/run.py --size 5000,2000 --commands plan --profile prof/   # cProfile each command

    python bench/run.py --hubspot-patches   # only the apply of 300 HubSpot PATCHes, at 100 and 190 per 10 s

Every org is served by the sandbox with 50 ms added latency per call and HubSpot's 100 requests per
10 seconds (the 300-PATCH apply also on a portal at 190, Professional/Enterprise). Each crmdefs command runs
as its own process (wall time, peak RSS from wait4); API calls are counted from the sandbox's request log.
The naive baseline (bench/naive.py) reads one field per call and writes one field per call, sequentially,
with the same client libraries. See BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic import HS_TYPES, write_definitions, write_state  # noqa: E402

from crmdefs.sandbox.options import FaultPlan, SandboxOptions  # noqa: E402
from crmdefs.sandbox.service import Sandbox  # noqa: E402

LATENCY_MS = 50
# Per rolling 10 s, HubSpot's limit for private apps (docs/hubspot.md#hs-rate-limits-by-tier): Free/Starter,
# and Professional/Enterprise for the 300-PATCH apply.
HUBSPOT_RATE = 100
HUBSPOT_RATES = (100, 190)
WINDOW_S = 10.0


@dataclass
class Run:
    size: str
    command: str
    wall_s: float
    cpu_s: float  # the crmdefs process's CPU (user + system)
    sandbox_cpu_s: float  # this process's, which serves the sandbox, during the command
    peak_mb: float
    calls: dict[str, int]
    exit_code: int
    floor: int | None = None
    failed_requests: int = 0
    note: str = ""

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())


@dataclass
class Org:
    sf: int
    hs: int
    root: Path
    sandbox: Sandbox | None = None
    env: dict[str, str] = field(default_factory=dict)
    hs_rate: int = HUBSPOT_RATE

    @property
    def label(self) -> str:
        return f"{self.sf:,} SF + {self.hs:,} HS"

    @property
    def state_dir(self) -> Path:
        return self.root / "sandbox"

    def start(self, hs_changed: int | None = None) -> None:
        write_state(self.state_dir, self.sf, self.hs)
        write_definitions(self.root / "definitions", self.sf, self.hs, hs_changed=hs_changed)
        options = SandboxOptions(hubspot_rate_per_10s=self.hs_rate)
        self.sandbox = Sandbox(self.state_dir, options, FaultPlan(latency_ms=LATENCY_MS))
        info = self.sandbox.start()
        (self.root / "crmdefs.yaml").write_text(
            "default_target: bench\n"
            "targets:\n"
            "  bench:\n"
            f"    salesforce: {{instance_url: '{info.instance_url}', auth: access_token}}\n"
            f"    hubspot: {{base_url: '{info.base_url}'}}\n"
            f"    ca_bundle: '{info.ca_bundle}'\n",
            encoding="utf-8",
        )
        self.env = {
            **os.environ,
            "SALESFORCE_ACCESS_TOKEN": info.access_token,
            "HUBSPOT_ACCESS_TOKEN": info.access_token,
            "NO_COLOR": "1",
        }

    def stop(self) -> None:
        if self.sandbox is not None:
            self.sandbox.stop()

    def log_lines(self) -> int:
        log = self.state_dir / "requests.log"
        return sum(1 for _ in log.open(encoding="utf-8")) if log.exists() else 0

    def span_since(self, start: int, api: str) -> float:
        """Seconds from the first of ``api``'s requests being sent (its answer, logged, less the added
        latency) to the last answer, since log line ``start``."""
        with (self.state_dir / "requests.log").open(encoding="utf-8") as log:
            times = [e["time"] for i, e in enumerate(map(json.loads, log)) if i >= start and e["api"] == api]
        return round(max(times) - min(times) + LATENCY_MS / 1000, 2) if times else 0.0

    def calls_since(self, start: int) -> tuple[dict[str, int], int]:
        kinds: Counter[str] = Counter()
        failed = 0
        with (self.state_dir / "requests.log").open(encoding="utf-8") as log:
            for i, line in enumerate(log):
                if i < start:
                    continue
                entry = json.loads(line)
                kinds[f"{entry['api']}:{entry.get('action') or entry['method']}"] += 1
                failed += entry["status"] >= 400
        return dict(sorted(kinds.items())), failed

    def run(self, size: str, command: str, argv: list[str]) -> Run:
        start = self.log_lines()
        # Output goes to files, not pipes: a plan of thousands of fields would fill a pipe and block.
        with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
            began = time.perf_counter()
            sandbox_began = _cpu()
            process = subprocess.Popen(argv, cwd=self.root, env=self.env, stdout=out_file, stderr=err_file)
            _, status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - began
            sandbox_cpu = _cpu() - sandbox_began
            out_file.seek(0)
            err_file.seek(0)
            out, err = out_file.read().decode(), err_file.read().decode()
        code = os.waitstatus_to_exitcode(status)
        calls, failed = self.calls_since(start)
        note = "" if code in (0, 2) else (err or out).strip().splitlines()[-1][:200]
        return Run(
            size,
            command,
            round(wall, 2),
            round(usage.ru_utime + usage.ru_stime, 2),
            round(sandbox_cpu, 2),
            round(usage.ru_maxrss / 1024, 1),
            calls,
            code,
            failed_requests=failed,
            note=note,
        )


COMMANDS = ("plan", "drift", "apply", "naive")
PROFILE_DIR: Path | None = None  # --profile: each crmdefs command runs under cProfile, its stats saved here


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def crmdefs(*args: str) -> list[str]:
    if PROFILE_DIR is not None:
        out = PROFILE_DIR / f"{args[0]}-{time.strftime('%H%M%S')}.prof"
        return [sys.executable, str(HERE / "profile_cmd.py"), str(out), *args]
    return [sys.executable, "-m", "crmdefs", *args]


def naive(*args: str) -> list[str]:
    return [sys.executable, str(HERE / "naive.py"), *args]


def plan_floor(sf: int, hs: int) -> int:
    """ceil(custom fields / 10) + ceil(value sets / 10) + record-type reads + one call per HubSpot object
    type (+ one listMetadata and ceil(Paths / 10) reads with path_guidance). The synthetic fields keep
    their values on the field and have no Path guidance: no value-set, record-type or Path reads."""
    return math.ceil(sf / 10) + sum(1 for i in range(len(HS_TYPES)) if hs > i)


def bench_size(
    sf: int, hs: int, work: Path, *, with_naive: bool, with_apply: bool, commands: tuple[str, ...] = COMMANDS
) -> list[Run]:
    """plan, drift and apply, then the naive baseline's reads and writes, each baseline run on a freshly
    started copy of the org: a fresh sandbox also starts with HubSpot's 10-second window empty, so no run
    pays for the requests of the one before it (as two users' runs minutes apart would not)."""
    org = Org(sf, hs, work / f"org-{sf}-{hs}")
    org.start()
    size = org.label
    runs: list[Run] = []
    try:
        if "plan" in commands:
            plan = org.run(size, "plan", crmdefs("plan", "-q"))
            plan.floor = plan_floor(sf, hs)
            runs.append(plan)
        if "drift" in commands:
            runs.append(org.run(size, "drift", crmdefs("drift", "-q")))
        if with_apply and "apply" in commands:
            runs.append(org.run(size, "apply", crmdefs("apply", "--auto-approve", "-q")))
        if with_naive and "naive" in commands:
            for command, mode in (("naive plan (reads)", "read"), ("naive apply (writes)", "write")):
                org.stop()
                org.start()
                runs.append(org.run(size, command, naive(mode, "--definitions", "definitions")))
    finally:
        org.stop()
    return runs


def window_floor(calls: int, rate: int) -> float:
    """The least time ``calls`` requests can take under ``rate`` per rolling 10 s: every full window's worth
    after the first waits for a window to pass, then one round trip — 10 s × ⌈calls / rate − 1⌉ + RTT."""
    return WINDOW_S * max(0, math.ceil(calls / rate - 1)) + LATENCY_MS / 1000


def bench_hubspot_apply(work: Path, patches: int = 300, rate: int = HUBSPOT_RATE) -> Run:
    """apply of ``patches`` HubSpot PATCHes on a portal at ``rate`` per 10 s. All the command's HubSpot calls
    count in the window (plan's reads first, the read-back last), so the floor is that of all of them."""
    org = Org(0, patches, work / f"hs-apply-{patches}-{rate}", hs_rate=rate)
    org.start()
    try:
        start = org.log_lines()
        run = org.run(f"{patches} HS PATCHes, {rate}/10 s", "apply", crmdefs("apply", "--auto-approve", "-q"))
        span = org.span_since(start, "hubspot")
    finally:
        org.stop()
    calls = sum(n for kind, n in run.calls.items() if kind.startswith("hubspot:"))
    floor = window_floor(calls, rate)
    run.note = (
        f"{calls} HubSpot calls at {rate} per 10 s: rolling-window floor {floor:.2f} s; first call to last "
        f"answer {span:.2f} s ({(span / floor - 1) * 100:+.1f} %), whole command {run.wall_s:.2f} s "
        f"({(run.wall_s / floor - 1) * 100:+.1f} %)"
    )
    return run


def validate_time(repeats: int = 5) -> float:
    best = math.inf
    for _ in range(repeats):
        began = time.perf_counter()
        subprocess.run(crmdefs("validate"), cwd=HERE.parent, check=True, capture_output=True)
        best = min(best, time.perf_counter() - began)
    return round(best, 3)


def table(runs: list[Run]) -> str:
    lines = [
        "| org | command | wall s | CPU s | sandbox CPU s | API calls | floor | failed | peak MB "
        "| calls by kind | exit |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in runs:
        kinds = ", ".join(f"{k} {v}" for k, v in r.calls.items())
        floor = str(r.floor) if r.floor is not None else ""
        lines.append(
            f"| {r.size} | {r.command} | {r.wall_s} | {r.cpu_s} | {r.sandbox_cpu_s} | {r.total_calls} "
            f"| {floor} | {r.failed_requests} | {r.peak_mb} | {kinds} "
            f"| {r.exit_code}{' ' + r.note if r.note else ''} |"
        )
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    system = f"{platform.system()} {platform.release()}"
    return f"{system}, {os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}"


def _size(text: str) -> tuple[int, int]:
    sf, _, hs = text.partition(",")
    try:
        return int(sf), int(hs)
    except ValueError:
        message = f"{text!r}: give Salesforce,HubSpot counts, e.g. 5000,2000"
        raise argparse.ArgumentTypeError(message) from None


def _commands(text: str) -> tuple[str, ...]:
    chosen = tuple(c.strip() for c in text.split(",") if c.strip())
    unknown = [c for c in chosen if c not in COMMANDS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown {', '.join(unknown)}: choose from {', '.join(COMMANDS)}")
    return chosen


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="only the small org (< 2 minutes)")
    parser.add_argument("--json", type=Path, help="write the raw figures here")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument(
        "--size", type=_size, help="only this org, SF,HS fields (e.g. 5000,2000); no 300-PATCH run"
    )
    parser.add_argument(
        "--commands", type=_commands, default=COMMANDS, help=f"only these, of {','.join(COMMANDS)}"
    )
    parser.add_argument("--profile", type=Path, help="run each crmdefs command under cProfile, stats here")
    parser.add_argument(
        "--hubspot-patches",
        action="store_true",
        help=f"only the apply of 300 HubSpot PATCHes, at {' and '.join(map(str, HUBSPOT_RATES))} per 10 s",
    )
    return parser.parse_args()


def main() -> int:
    args = _arguments()
    global PROFILE_DIR
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
        PROFILE_DIR = args.profile.resolve()
    work = Path(tempfile.mkdtemp(prefix="crmdefs-bench-"))
    sizes = (
        []
        if args.hubspot_patches
        else [(*args.size, args.size[0] <= 1000, True)]  # as below: no naive baseline at 5,000
        if args.size
        else [(100, 50, True, True)]
        if args.quick
        else [
            (100, 50, True, True),
            (1000, 500, True, True),
            (5000, 2000, False, True),
        ]
    )
    began = time.perf_counter()
    runs: list[Run] = []
    try:
        for sf, hs, with_naive, with_apply in sizes:
            print(f"… {sf:,} Salesforce fields + {hs:,} HubSpot properties", file=sys.stderr)
            runs += bench_size(
                sf, hs, work, with_naive=with_naive, with_apply=with_apply, commands=args.commands
            )
        if args.hubspot_patches or (not args.quick and not args.size):
            for rate in HUBSPOT_RATES:
                print(f"… apply of 300 HubSpot PATCHes at {rate} per 10 s", file=sys.stderr)
                runs.append(bench_hubspot_apply(work, rate=rate))
        validate = None if args.size or args.hubspot_patches else validate_time()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(
        f"crmdefs benchmark — {machine()}; {LATENCY_MS} ms latency per call; "
        f"HubSpot {HUBSPOT_RATE} per 10 s (the 300-PATCH apply: {', '.join(map(str, HUBSPOT_RATES))})\n"
    )
    print(table(runs))
    if validate is not None:
        print(f"\ncrmdefs validate (starter glossary, best of 5): {validate} s")
    print(f"benchmark wall time: {time.perf_counter() - began:.0f} s")
    if args.json:
        args.json.write_text(
            json.dumps(
                {"machine": machine(), "validate_s": validate, "runs": [asdict(r) for r in runs]}, indent=2
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
