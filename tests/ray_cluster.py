"""A real Ray cluster on loopback, for the Ray executor's tests and ``bench/exec_scaling.py``.

Each node is its own ``ray start --block`` process in a process group of its own (a head, then
worker nodes joining it), so one node can be killed as a machine is lost: every process it
started, the raylet, the Ray workers and the sandboxes under them, at once. Nothing here runs
``ray stop``, which would stop every Ray process of the machine (other clusters included).

The nodes and this process get ``RAY_ENV``: no token authentication (so nothing depends on
``~/.ray``), no usage statistics, and a quicker health check, so that a killed node is known
dead in seconds rather than the default half minute. ``PYTHONPATH`` leads with this checkout's
``src``, so the actors import the codehazard under test.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SRC = Path(__file__).resolve().parents[1] / "src"
RAY_ENV = {
    "RAY_AUTH_MODE": "disabled",
    "RAY_USAGE_STATS_ENABLED": "0",
    "RAY_health_check_initial_delay_ms": "1000",
    "RAY_health_check_period_ms": "500",
    "RAY_health_check_timeout_ms": "1000",
    "RAY_health_check_failure_threshold": "4",
}
"""Environment for every node and for the driver (``ray_env``)."""
UP_TIMEOUT = 120.0


def ray_env() -> dict[str, str]:
    """What a process needs before it first starts or joins Ray: ``RAY_ENV``, and ``src``
    first on ``PYTHONPATH``, which the Ray workers of a local runtime inherit."""
    path = os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p)
    return {**RAY_ENV, "PYTHONPATH": path}


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _in_session(sid: int) -> list[int]:
    """Every process of session ``sid`` (from /proc): a node's processes, Ray's workers and
    the sandbox workers under them included (none of them starts a session of its own)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                session = int(fh.read().rsplit(")", 1)[1].split()[3])
        except (OSError, ValueError, IndexError):
            continue
        if session == sid:
            found.append(int(entry))
    return found


def _kill_session(sid: int) -> None:
    """SIGKILL every process of session ``sid`` until none is left."""
    for _ in range(50):
        pids = _in_session(sid)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.05)


class LoopbackCluster:
    """A head node and worker nodes on loopback, each ``cpus`` CPUs; a context manager that
    stops every node it started. ``workers`` has one command prefix per worker node: ``()``
    for a plain one, or a restricted host of ``restricted_hosts`` (``docker_default()``).

    ``address`` is the GCS address (``ray:ADDRESS`` joins as a driver on a node of the
    machine); ``client_address`` is Ray Client's (``ray://127.0.0.1:PORT``).
    """

    def __init__(
        self,
        workers: Sequence[Sequence[str]] = ((),),
        cpus: int = 1,
        log_dir: Path | None = None,
    ) -> None:
        self.port, self.client_port = free_port(), free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.client_address = f"ray://127.0.0.1:{self.client_port}"
        self.cpus, self.prefixes = cpus, [tuple(p) for p in workers]
        self.log_dir = log_dir
        self.head: subprocess.Popen[bytes] | None = None
        self.workers: list[subprocess.Popen[bytes]] = []
        self._restarts: dict[int, int] = {}
        self._killed: set[int] = set()
        self.env = {**os.environ, **ray_env()}

    def _node(
        self, name: str, *extra: str, prefix: tuple[str, ...] = ()
    ) -> subprocess.Popen[bytes]:
        ray = Path(sys.executable).with_name("ray")
        command = [
            *prefix,
            str(ray) if ray.exists() else "ray",
            "start",
            "--block",
            f"--num-cpus={self.cpus}",
            "--disable-usage-stats",
            f"--dashboard-agent-listen-port={free_port()}",
            f"--dashboard-agent-grpc-port={free_port()}",
            f"--metrics-export-port={free_port()}",
            f"--runtime-env-agent-port={free_port()}",
            *extra,
        ]
        log: Any = subprocess.DEVNULL
        if self.log_dir is not None:
            log = open(self.log_dir / f"{name}.log", "wb")
        try:
            return subprocess.Popen(
                command,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            if log is not subprocess.DEVNULL:
                log.close()  # the node holds its own descriptor

    def start(self) -> LoopbackCluster:
        """Start the head, then the worker nodes; return once every node is alive.

        Raises:
            RuntimeError: a node exited, or the cluster was not up within ``UP_TIMEOUT``.
        """
        self.head = self._head()
        self._wait_for_port(self.port)
        self.workers = [self._worker(i) for i in range(len(self.prefixes))]
        self.wait_for_nodes(1 + len(self.workers))
        return self

    def _head(self) -> subprocess.Popen[bytes]:
        return self._node(
            "head",
            "--head",
            f"--port={self.port}",
            "--include-dashboard=false",
            f"--ray-client-server-port={self.client_port}",
        )

    def _worker(self, index: int) -> subprocess.Popen[bytes]:
        prefix = self.prefixes[index]
        return self._node(f"worker{index}", f"--address={self.address}", prefix=prefix)

    def _wait_for_port(self, port: int) -> None:
        deadline = time.monotonic() + UP_TIMEOUT
        while time.monotonic() < deadline:
            self._check_running()
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"the head node did not listen on {port} within {UP_TIMEOUT}s")

    def _check_running(self) -> None:
        """Start again a node that exited while starting (Ray gives a raylet 30 s to register,
        which a loaded machine can miss), twice at most; the workers join the head again.

        Raises:
            RuntimeError: a node exited three times.
        """
        nodes = [(-1, self.head), *enumerate(self.workers)]
        for i, proc in nodes:
            if proc is None or proc.poll() is None or i in self._killed:
                continue
            self._restarts[i] = self._restarts.get(i, 0) + 1
            if self._restarts[i] > 2:
                raise RuntimeError(f"Ray node {i} (-1: the head) exited 3 times starting")
            _kill_session(proc.pid)
            if i < 0:
                self.head = self._head()
            else:
                self.workers[i] = self._worker(i)

    def wait_for_nodes(self, count: int) -> None:
        """Join as a driver until ``count`` nodes are alive, then leave (the executor joins
        by itself).

        Raises:
            RuntimeError: fewer nodes alive after ``UP_TIMEOUT``.
        """
        import ray

        deadline = time.monotonic() + UP_TIMEOUT
        while True:  # a head still starting refuses drivers for a while
            try:
                ray.init(address=self.address, log_to_driver=False, logging_level="error")
                break
            except ConnectionError:
                self._check_running()
                if time.monotonic() > deadline:
                    raise
                time.sleep(1.0)
        try:
            while sum(bool(n["Alive"]) for n in ray.nodes()) < count:
                self._check_running()
                if time.monotonic() > deadline:
                    raise RuntimeError(f"fewer than {count} Ray nodes up after {UP_TIMEOUT}s")
                time.sleep(0.2)
        finally:
            ray.shutdown()

    def kill_worker(self, index: int = 0) -> None:
        """Kill worker node ``index`` as a lost machine: every process it started, at once."""
        proc = self.workers[index]
        self._killed.add(index)
        _kill_session(proc.pid)
        proc.wait()

    def stop(self) -> None:
        """Stop every node: SIGTERM to each node's group, then SIGKILL to what is left of its
        session."""
        nodes = [p for p in (*self.workers, self.head) if p is not None]
        for proc in nodes:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 2  # a grace period; what is left is killed
        for proc in nodes:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for proc in nodes:
            _kill_session(proc.pid)
            proc.wait()

    def __enter__(self) -> LoopbackCluster:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()
