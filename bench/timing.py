"""One measured run of aksguard, shared by the benchmarks in this directory."""
import os, subprocess, tempfile, time
from dataclasses import dataclass


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    wall: float
    """Seconds from start to exit."""
    cpu: float
    """User and system seconds, all threads."""
    peak_kib: int
    """Peak resident set."""


def run(command, cwd):
    """Runs `command` in `cwd` with its output in temporary files (a pipe would stall it)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err)
        # wait4 gives this child's own resource usage: its peak resident set, in KiB.
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        return Run(os.waitstatus_to_exitcode(status), out.read().decode(), err.read().decode(),
                   wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
