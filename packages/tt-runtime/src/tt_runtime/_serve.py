"""tt_runtime._serve: warm host processes, so that running a kernel again costs the run only.

Owns: running a built host executable the way ``subprocess.run`` would (same arguments, exit
status, stdout and stderr), but through a process started with ``--serve`` that stays up
between runs (device/src/serve.cpp holds the protocol). A fresh process spends most of a short
run's time having the kernel zero the emulated L1 and DRAM pages it touches and loading the
kernels; a warm one has them. One process per (executable, environment), a few kept per Python
process (least recently used first out), all closed at exit or after their idle timeout.

A run that ends its process (a fault, deadlock, watchdog or crash: report and exit, as in a
one-shot run) gives that exit status and drops the process; the next run starts a new one.
``TT_RUNTIME_WARM=0`` runs every program in a fresh process instead.
Does not own: the command line and environment of a run (``_run.py``).
"""

from __future__ import annotations

import atexit
import os
import subprocess
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path

PER_RUN_ENV = ("TT_EMU_REPORT", "TT_EMU_DRAM_FILL")  # set for each request; the rest keys the process
KEEP = 4  # warm processes kept per Python process
_SEP = "\x1f"


def enabled() -> bool:
    return os.environ.get("TT_RUNTIME_WARM", "1") != "0"


class _Server:
    def __init__(self, exe: str, env: Mapping[str, str]):
        self.proc = subprocess.Popen([exe, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, env=dict(env), cwd="/")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def request(self, fields: list[str]) -> tuple[bool, int | None]:
        """(taken, exit status): taken is False when the process was gone before it took the
        request (the caller retries on a new one); the status is None when the run ended the
        process (the caller reads it from the process)."""
        try:
            self.proc.stdin.write((_SEP.join(fields) + "\n").encode())
            self.proc.stdin.flush()
            first = self.proc.stdout.readline().strip()
        except (BrokenPipeError, OSError):
            return False, None
        if not first:
            return False, None
        if first != b"run":  # refused before running (its working directory is gone)
            return True, int(first)
        status = self.proc.stdout.readline().strip()
        return True, int(status) if status else None

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


_lock = threading.Lock()
_idle: OrderedDict[tuple, _Server] = OrderedDict()


def _take(key: tuple, exe: str, env: Mapping[str, str]) -> _Server:
    with _lock:
        server = _idle.pop(key, None)
    if server is not None and server.alive():
        return server
    if server is not None:
        server.close()
    return _Server(exe, env)


def _give(key: tuple, server: _Server) -> None:
    evicted = []
    with _lock:
        old = _idle.pop(key, None)
        if old is not None:
            evicted.append(old)
        _idle[key] = server
        while len(_idle) > KEEP:
            evicted.append(_idle.popitem(last=False)[1])
    for s in evicted:
        s.close()


def close_all() -> None:
    """Stop every warm process of this Python process."""
    with _lock:
        servers = list(_idle.values())
        _idle.clear()
    for s in servers:
        s.close()


atexit.register(close_all)


def run(args: Sequence[str], *, cwd: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess:
    """Run ``args`` (a host executable and its arguments) in `cwd` with `env`, as
    ``subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)`` would."""
    fields_env = [f"{k}={env[k]}" for k in PER_RUN_ENV if k in env]
    out, err = Path(cwd) / "host.stdout.txt", Path(cwd) / "host.stderr.txt"
    fields = [str(cwd), str(out), str(err), str(len(fields_env)), *fields_env, *map(str, args[1:])]
    if not enabled() or any(_SEP in f or "\n" in f for f in fields):
        return subprocess.run(list(args), cwd=cwd, env=dict(env), capture_output=True, text=True)
    key = (str(args[0]), tuple(sorted((k, v) for k, v in env.items() if k not in PER_RUN_ENV)))
    for _attempt in range(2):
        server = _take(key, str(args[0]), env)
        taken, status = server.request(fields)
        if taken:
            break
        server.close()
    else:
        return subprocess.run(list(args), cwd=cwd, env=dict(env), capture_output=True, text=True)
    if status is None:  # the run ended the process: its exit status is the run's
        status = server.proc.wait()
        server.close()
    else:
        _give(key, server)
    read = lambda p: p.read_text(errors="replace") if p.exists() else ""  # noqa: E731
    return subprocess.CompletedProcess(list(args), status, read(out), read(err))
