"""What the benchmark ran on: CPU, cores, RAM, OS, Python and the versions of the servers, for bench/README.md."""

from __future__ import annotations

import os
import platform
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _version(*command: str) -> str | None:
    if not shutil.which(command[0]):
        return None
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0] if text else None


def describe(postgres_version: str | None = None) -> dict:
    cpu = re.search(r"^model name\s*:\s*(.+)$", _read("/proc/cpuinfo"), re.M)
    memory = re.search(r"^MemTotal:\s*(\d+) kB", _read("/proc/meminfo"), re.M)
    os_name = re.search(r'^PRETTY_NAME="?([^"\n]+)"?', _read("/etc/os-release"), re.M)
    return {
        "cpu": cpu.group(1).strip() if cpu else platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "ram_gb": round(int(memory.group(1)) / 1024 / 1024, 1) if memory else None,
        "os": os_name.group(1) if os_name else platform.platform(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres_version,
        "redis": _version("redis-server", "--version"),
        "haproxy": _version("haproxy", "-v"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
