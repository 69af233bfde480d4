"""The machine a run is on: CPU, cores, devices per backend, versions."""

import os
import platform
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from .runner import child_env, last_line

PACKAGES = [
    "skxent",
    "tensorflow",
    "keras",
    "jax",
    "jaxlib",
    "torch",
    "scikit-learn",
    "scikeras",
    "mlxtend",
    "numpy",
    "scipy",
]

# What each backend sees, asked in a fresh interpreter.
DEVICE_PROBES = {
    "tensorflow": "import tensorflow as tf\n"
    "print(', '.join(d.name for d in tf.config.list_physical_devices()))",
    "jax": "import jax\nprint(', '.join(str(d) for d in jax.devices()))",
    "torch": "import torch\nprint('cuda: ' + torch.cuda.get_device_name(0) "
    "if torch.cuda.is_available() else 'cpu (torch.cuda not available)')",
}


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def gpus():
    if not shutil.which("nvidia-smi"):
        return "none (no nvidia-smi)"
    done = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True)
    return "; ".join(done.stdout.strip().splitlines()) or "none"


def devices(backend):
    probe = DEVICE_PROBES.get(backend)
    if probe is None:
        return "unknown backend"
    try:
        done = subprocess.run(
            [sys.executable, "-c", probe],
            capture_output=True,
            text=True,
            timeout=180,
            env=child_env(),
        )
    except subprocess.TimeoutExpired:
        return "probe timed out"
    if done.returncode:
        return "not available: " + last_line(done.stderr, "error")
    return last_line(done.stdout, "none")


def version(package):
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine(backends):
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=Path(__file__).parent,
        capture_output=True,
        text=True,
    ).stdout.strip()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "cores_usable": usable,
        "gpus": gpus(),
        "devices": {backend: devices(backend) for backend in backends},
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": {package: version(package) for package in PACKAGES},
        "commit": commit or None,
    }


def describe(info):
    """Two lines: the machine and its versions, the devices."""
    v = info["versions"]
    shown = ", ".join(f"{p} {v[p]}" for p in PACKAGES[1:] if v[p] != "not installed")
    devices = "; ".join(f"{b}: {d}" for b, d in info["devices"].items())
    return (
        f"Machine: {info['cpu']}, {info['cores']} cores ({info['cores_usable']} "
        f"used by this run); Python {info['python']}, {shown}; skxent "
        f"{v['skxent']} at {info['commit']}.\n"
        f"Devices: GPUs (nvidia-smi -L): {info['gpus']}; {devices}."
    )
