"""A real Doccano 1.8.4 server and Celery worker on 127.0.0.1 for the tests.

Doccano lives in its own virtual environment (its pins clash with spaCy 3.8's): created on
first use under .cache/doccano-venv (or $FAZHI_DOCCANO_VENV) and reused afterwards.
"""

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("FAZHI_DOCCANO_VENV", ROOT / ".cache" / "doccano-venv"))
REQUIREMENTS = ["doccano==1.8.4", "marshmallow<4", "numpy<2"]


def ensure_venv() -> Path:
    doccano = VENV / "bin" / "doccano"
    if not doccano.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "--quiet", *REQUIREMENTS], check=True)
    return doccano


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DoccanoServer:
    def __init__(self, home: Path):
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.username = "admin"
        # hex only: a urlsafe token can start with "-", which argparse takes for an option
        self.password = "pw" + secrets.token_hex(12)
        self.processes: list[subprocess.Popen] = []

    def _env(self) -> dict:
        return {**os.environ, "HOME": str(self.home), "PATH": f"{VENV / 'bin'}:{os.environ['PATH']}"}

    def start(self, timeout: float = 120.0) -> "DoccanoServer":
        doccano = str(ensure_venv())
        log = open(self.home / "doccano.log", "ab")
        run = dict(env=self._env(), cwd=self.home, stdout=log, stderr=log)
        subprocess.run([doccano, "init"], check=True, **run)
        subprocess.run([doccano, "createuser", f"--username={self.username}", f"--password={self.password}"], check=True, **run)
        self.processes.append(subprocess.Popen([doccano, "webserver", "--port", str(self.port), "--workers", "2"], **run))
        self.processes.append(subprocess.Popen([doccano, "task", "--concurrency", "1"], **run))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/v1/health/", timeout=5).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(1)
        self.stop()
        raise RuntimeError(f"Doccano did not become healthy in {timeout:.0f} s; see {self.home / 'doccano.log'}")

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
