"""Where uncertainty work runs: in-process, a local Dask cluster, or an existing one.

Work is a list of *chunks*: calls ``fn(*args)`` of a top-level (importable) function, each
handling thousands of scenarios so that a task's cost dwarfs Dask's per-task overhead (1 ms
on an idle machine, 13 ms measured on this busy 2-core one: benchmarks/uncertainty.py) while
its arrays stay small (50,000 scenarios × 15 inputs is 6 MB, ≈ 15 MB with temporaries).
A :class:`Runner` runs them and returns their results **in chunk order**, whatever the
order they finish in, so a result never depends on the number of workers.

Runners
-------
:class:`InProcessRunner`
    A plain loop in this process (tests, tiny sweeps, reference results).
:class:`DaskRunner`
    A :class:`distributed.Client` on a :class:`distributed.LocalCluster` started here
    (default: one single-threaded worker process per core) or connected to an existing
    scheduler given by address (``--scheduler tcp://host:8786`` or
    ``$MAPAPP_DASK_SCHEDULER``). Each chunk is a task with ``retries``: a worker lost
    mid-run has its chunks recomputed elsewhere, from the same arguments and the same
    seed, so the result is the same.

Reproducibility
---------------
:func:`chunk_sizes` splits N scenarios into chunks whose sizes depend only on N and the
chunk size, and :func:`chunk_seeds` gives chunk *i* the *i*-th child of
``numpy.random.SeedSequence(seed)``: the random numbers of a scenario depend on the seed and
its position only, never on which worker ran it or when.

Large inputs (grids) travel **by path**: the chunk's arguments hold a file path or URL that
each worker opens itself; arrays are never pickled into the task graph.

Examples
--------
>>> chunk_sizes(12_000, 5_000)
[5000, 5000, 2000]
>>> [s.spawn_key for s in chunk_seeds(7, 3)]
[(0,), (1,), (2,)]
>>> with InProcessRunner() as r:
...     r.map(pow, [(2, 3), (3, 2)])
[8, 9]
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Sequence

import numpy as np

from mapapp.core.errors import InputError, MapAppError

__all__ = [
    "DEFAULT_CHUNK",
    "SCHEDULER_ENV",
    "ClusterError",
    "DaskRunner",
    "InProcessRunner",
    "Runner",
    "RunCancelled",
    "chunk_seeds",
    "chunk_sizes",
    "open_runner",
]

#: Environment variable naming an existing Dask scheduler (same as ``--scheduler``).
SCHEDULER_ENV = "MAPAPP_DASK_SCHEDULER"
#: Scenarios per chunk by default (Monte Carlo): ≈ 0.1–0.3 s of work per task against Dask's
#: per-task overhead of 1–13 ms, and ≈ 15 MB of arrays; see benchmarks/uncertainty.py.
DEFAULT_CHUNK = 50_000
#: Retries of a failed or lost chunk before the run fails.
DEFAULT_RETRIES = 3
#: Seconds allowed to reach a scheduler.
CONNECT_TIMEOUT_S = 10.0

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]


class ClusterError(MapAppError):
    """The Dask cluster cannot be reached or started, or it lost the run."""


class RunCancelled(MapAppError):
    """The user cancelled a sweep or ensemble before it finished."""


def chunk_sizes(n: int, chunk: int = DEFAULT_CHUNK) -> list[int]:
    """Sizes of the chunks that split ``n`` scenarios: all ``chunk`` but the last.

    Parameters
    ----------
    n : int
        Scenarios (≥ 1).
    chunk : int
        Scenarios per chunk (≥ 1).

    >>> chunk_sizes(3, 5)
    [3]
    """
    n, chunk = int(n), int(chunk)
    if n < 1:
        raise InputError(f"the number of samples must be at least 1, got {n}")
    if chunk < 1:
        raise InputError(f"the chunk size must be at least 1, got {chunk}")
    full, rest = divmod(n, chunk)
    return [chunk] * full + ([rest] if rest else [])


def chunk_seeds(seed: int, n_chunks: int) -> list[np.random.SeedSequence]:
    """``SeedSequence(seed).spawn(n_chunks)``: independent streams, one per chunk."""
    try:
        seed = int(seed)
    except (TypeError, ValueError) as exc:
        raise InputError(f"the seed must be a whole number, got {seed!r}") from exc
    if seed < 0:
        raise InputError(f"the seed must be ≥ 0, got {seed}")
    return np.random.SeedSequence(seed).spawn(int(n_chunks))


def _never() -> bool:
    return False


class Runner:
    """Runs chunks and returns their results in order (a context manager)."""

    #: Plain-words description, e.g. "in-process" or "LocalCluster, 2 workers".
    description: str = ""

    @property
    def n_workers(self) -> int:
        """Workers available now (1 for in-process)."""
        return 1

    def map(self, fn: Callable, args: Sequence[tuple], *, progress: Progress | None = None,
            cancel: Cancel | None = None, name: str = "chunk") -> list:
        """``[fn(*a) for a in args]``, possibly in parallel, results in order.

        Parameters
        ----------
        fn : callable
            A top-level function (importable by the workers).
        args : sequence of tuple
            One tuple of arguments per chunk (small: paths, seeds, parameters).
        progress : callable, optional
            ``progress(done, total)`` after each finished chunk.
        cancel : callable, optional
            Polled while waiting; returning True cancels the run (:class:`RunCancelled`).
        name : str
            Prefix of the task names (shown in the Dask dashboard).
        """
        raise NotImplementedError

    def close(self) -> None:
        """Release the workers (a no-op for runners that own nothing)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class InProcessRunner(Runner):
    """Runs every chunk in this process, in order."""

    description = "in-process"

    def map(self, fn, args, *, progress=None, cancel=None, name="chunk"):
        cancel = cancel or _never
        out = []
        for i, a in enumerate(args):
            if cancel():
                raise RunCancelled("the run was cancelled")
            out.append(fn(*a))
            if progress:
                progress(i + 1, len(args))
        return out


_ADDRESS = re.compile(r"^(tcp|tls|inproc|ws|wss|ucx)://\S+$|^[\w.\-\[\]:]+:\d+$")


def _check_address(address: str) -> str:
    address = str(address).strip()
    if not _ADDRESS.match(address):
        raise ClusterError(
            f"{address!r} is not a Dask scheduler address; give one like "
            "tcp://127.0.0.1:8786 (printed by `dask scheduler`)"
        )
    return address


class DaskRunner(Runner):
    """Chunks as Dask tasks on a LocalCluster started here or on an existing scheduler.

    Parameters
    ----------
    scheduler : str, optional
        Address of an existing scheduler (``tcp://host:port``). None: start a
        :class:`distributed.LocalCluster` with ``n_workers`` single-threaded worker
        processes (default: one per core) and close it with the runner.
    n_workers : int, optional
        Workers of the local cluster.
    retries : int
        Times a chunk is retried after its worker died or it failed.
    memory_limit : str
        Memory limit per local worker (Dask syntax, e.g. ``"2GB"``; ``"auto"`` shares the
        machine's memory between workers).
    connect_timeout : float
        Seconds allowed to reach an existing scheduler.
    """

    def __init__(self, scheduler: str | None = None, n_workers: int | None = None, *,
                 retries: int = DEFAULT_RETRIES, memory_limit: str = "auto",
                 connect_timeout: float = CONNECT_TIMEOUT_S):
        import distributed

        self.retries = int(retries)
        self._cluster = None
        quiet = logging.ERROR
        if scheduler:
            address = _check_address(scheduler)
            try:
                self.client = distributed.Client(address, timeout=connect_timeout,
                                                 set_as_default=False)
            except (OSError, TimeoutError, ValueError) as exc:
                raise ClusterError(
                    f"cannot reach the Dask scheduler at {address} ({_reason(exc)}); check "
                    "that `dask scheduler` runs there and the port is open, or leave out "
                    f"--scheduler (and ${SCHEDULER_ENV}) to use a local cluster"
                ) from None
            self.description = f"Dask cluster at {address}"
        else:
            n = int(n_workers or os.cpu_count() or 1)
            if n < 1:
                raise InputError(f"the number of workers must be at least 1, got {n}")
            try:
                with _fast_malloc():
                    self._cluster = distributed.LocalCluster(
                        n_workers=n, threads_per_worker=1, processes=True,
                        dashboard_address=":0", silence_logs=quiet,
                        memory_limit=memory_limit, scheduler_port=0, host="127.0.0.1",
                    )
                self.client = distributed.Client(self._cluster, set_as_default=False)
            except (OSError, TimeoutError, RuntimeError) as exc:
                self.close()
                raise ClusterError(f"cannot start a local Dask cluster ({_reason(exc)})") \
                    from None
            self.description = f"LocalCluster, {n} worker{'s' if n != 1 else ''}"

    @property
    def n_workers(self) -> int:
        return len(self.client.scheduler_info(n_workers=-1).get("workers", {})) \
            if self.client else 0

    @property
    def address(self) -> str:
        """The scheduler's address."""
        return self.client.scheduler.address

    def map(self, fn, args, *, progress=None, cancel=None, name="chunk"):
        import distributed

        cancel = cancel or _never
        run = uuid.uuid4().hex[:8]
        futures = [
            self.client.submit(fn, *a, key=f"{name}-{run}-{i}", retries=self.retries,
                               pure=False)
            for i, a in enumerate(args)
        ]
        total, done = len(futures), 0
        pending = set(futures)
        try:
            while pending:
                if cancel():
                    raise RunCancelled("the run was cancelled")
                finished = {f for f in pending if f.done()}
                if not finished:
                    time.sleep(0.05)
                    continue
                pending -= finished
                for f in finished:
                    if f.status == "error":
                        f.result()  # raises the task's own exception (MapAppError passes)
                    if f.status == "cancelled":
                        raise ClusterError("the cluster cancelled a chunk (its scheduler "
                                           "restarted or lost it); run again")
                done += len(finished)
                if progress:
                    progress(done, total)
            return [f.result() for f in futures]
        except (MapAppError, KeyboardInterrupt):
            self.client.cancel(futures)
            raise
        except OSError as exc:  # the connection to the scheduler broke
            raise ClusterError(f"lost the connection to the Dask scheduler ({_reason(exc)}); "
                               "check the cluster and run again") from None
        except Exception as exc:
            self.client.cancel(futures)
            if isinstance(exc, distributed.client.FutureCancelledError) or \
                    "KilledWorker" in type(exc).__name__:
                raise ClusterError(f"the Dask cluster lost the run ({_reason(exc)}); "
                                   "run again or add workers") from None
            raise

    def close(self) -> None:
        client, cluster = getattr(self, "client", None), self._cluster
        self.client, self._cluster = None, None
        if client is not None:
            try:
                client.close(timeout=10)
            except Exception:  # closing is best effort
                pass
        if cluster is not None:
            try:
                cluster.close(timeout=10)
            except Exception:
                pass
            time.sleep(0)  # let the event loop settle


@contextlib.contextmanager
def _fast_malloc():
    """Start local workers without Dask's ``MALLOC_TRIM_THRESHOLD_=65536``.

    Dask sets that variable in every worker to hand freed memory back to the system sooner;
    it also turns off glibc's adaptive mmap threshold, so every array above 128 kB is mapped
    and unmapped afresh. The sweep's chunks are made of such arrays (50,000 float64 = 400 kB):
    with the variable a chunk took 3× as long on a worker as in the driver
    (benchmarks/uncertainty.py). Workers of an existing cluster keep their own settings.
    """
    import dask

    key = "MALLOC_TRIM_THRESHOLD_"
    inherited = os.environ.get(key)
    if inherited == "65536":  # left in this process's environment by an earlier cluster
        del os.environ[key]
    try:
        with dask.config.set({f"distributed.nanny.pre-spawn-environ.{key}": None}):
            yield
    finally:
        if inherited is not None:
            os.environ[key] = inherited


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def open_runner(scheduler: str | None = None, workers: int | None = None, *,
                in_process: bool = False, retries: int = DEFAULT_RETRIES) -> Runner:
    """The runner the CLI and the app use.

    Parameters
    ----------
    scheduler : str, optional
        Address of an existing Dask scheduler; default ``$MAPAPP_DASK_SCHEDULER``, else a
        LocalCluster on this machine.
    workers : int, optional
        Worker processes of the LocalCluster (default: the number of cores).
    in_process : bool
        Run in this process, no Dask at all.
    retries : int
        Retries of a lost or failed chunk.

    Returns
    -------
    Runner
        Use it as a context manager (``with open_runner() as r: …``) so a local cluster is
        closed afterwards.
    """
    if in_process:
        return InProcessRunner()
    scheduler = scheduler or os.environ.get(SCHEDULER_ENV) or None
    return DaskRunner(scheduler, workers, retries=retries)
