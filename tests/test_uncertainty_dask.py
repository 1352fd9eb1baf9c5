"""The sweep on real Dask clusters, loopback only: a 2-worker LocalCluster, the same seed giving
the same percentiles in-process / 1 worker / 2 workers, a worker killed mid-sweep, and a
separately started ``dask scheduler`` + ``dask worker`` reached by ``--scheduler``.

Bounded: small N, one module-scoped cluster, timeouts on every subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from mapapp.routes.presets import get_preset
from mapapp.uncertainty.cluster import DaskRunner, InProcessRunner
from mapapp.uncertainty.model import default_model, route_context
from mapapp.uncertainty.sweep import run_sweep

ROOT = Path(__file__).resolve().parents[1]
DASK = Path(sys.executable).with_name("dask")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def contexts():
    return [route_context(get_preset("dmitriev-2025")), route_context(get_preset("razbegin-2025"))]


@pytest.fixture(scope="module")
def model(contexts):
    return default_model("rail", contexts[0].sigma_m)


@pytest.fixture(scope="module")
def reference(contexts, model):
    """The in-process result every cluster must reproduce."""
    return run_sweep(contexts, model, 20_000, seed=11, runner=InProcessRunner(), chunk=2_000)


@pytest.fixture(scope="module")
def two_workers():
    with DaskRunner(n_workers=2) as r:
        yield r


def _same(a, b):
    for ra, rb in zip(a, b, strict=True):
        assert ra.to_dict()["percentiles"] == rb.to_dict()["percentiles"]
        assert [c.probability for c in ra.claims] == [c.probability for c in rb.claims]
        for k in ra.outputs:
            assert np.array_equal(ra.outputs[k], rb.outputs[k])


def test_two_worker_local_cluster_matches_in_process(two_workers, contexts, model, reference):
    assert two_workers.n_workers == 2
    seen = []
    got = run_sweep(contexts, model, 20_000, seed=11, runner=two_workers, chunk=2_000,
                    progress=lambda d, t: seen.append((d, t)))
    _same(got, reference)
    assert seen[-1] == (10, 10)
    assert got[0].runner == "LocalCluster, 2 workers"


def test_one_worker_matches_in_process(contexts, model, reference):
    with DaskRunner(n_workers=1) as one:
        got = run_sweep(contexts, model, 20_000, seed=11, runner=one, chunk=2_000)
    _same(got, reference)


def test_worker_killed_mid_sweep_gives_the_same_result(two_workers, contexts, model):
    want = run_sweep(contexts, model, 200_000, seed=5, runner=InProcessRunner(), chunk=1_000)
    pids = two_workers.client.run(os.getpid)  # {worker address: pid}
    victim = sorted(pids.values())[0]
    killed = {}

    def progress(done, total):
        if not killed and done >= 2:
            os.kill(victim, signal.SIGKILL)
            killed["at"] = (done, total)

    got = run_sweep(contexts, model, 200_000, seed=5, runner=two_workers, chunk=1_000,
                    progress=progress)
    assert killed and killed["at"][0] < killed["at"][1]  # killed while chunks were left
    _same(got, want)
    # the nanny restarted the worker: the cluster is whole again
    deadline = time.time() + 60
    while two_workers.n_workers < 2 and time.time() < deadline:
        time.sleep(0.5)
    assert victim not in two_workers.client.run(os.getpid).values()


def test_cancel_stops_a_cluster_run(two_workers, contexts, model):
    from mapapp.uncertainty.cluster import RunCancelled

    calls = {"n": 0}

    def cancel():
        calls["n"] += 1
        return calls["n"] > 1

    with pytest.raises(RunCancelled):
        run_sweep(contexts, model, 400_000, seed=1, runner=two_workers, chunk=1_000,
                  cancel=cancel)


def _run_cli(args, env=None, timeout=240):
    return subprocess.run([sys.executable, "-m", "mapapp", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


def test_separate_scheduler_and_worker_via_scheduler_option(tmp_path, contexts, monkeypatch):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    sched_file = tmp_path / "scheduler.json"
    procs = []
    try:
        procs.append(subprocess.Popen(
            [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(sched_file)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        deadline = time.time() + 60
        while not sched_file.exists() and time.time() < deadline:
            time.sleep(0.2)
        address = json.loads(sched_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        procs.append(subprocess.Popen(
            [str(DASK), "worker", address, "--nworkers", "1", "--nthreads", "1",
             "--no-dashboard", "--host", "127.0.0.1"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        # the command, against the separate cluster
        res = _run_cli(["sweep", "dmitriev-2025", "--samples", "20000", "--seed", "1",
                        "--json", "--scheduler", address])
        assert res.returncode == 0, res.stderr
        remote = json.loads(res.stdout)[0]
        assert remote["runner"] == f"Dask cluster at {address}"
        # … gives the numbers of the same sweep run in this process
        model = default_model("rail", contexts[0].sigma_m)
        (local,) = run_sweep(contexts[:1], model, 20_000, seed=1)
        assert remote["percentiles"] == local.to_dict()["percentiles"]
        assert [c["probability"] for c in remote["claims"]] == \
            [c.probability for c in local.claims]
        # $MAPAPP_DASK_SCHEDULER works like --scheduler
        from mapapp.uncertainty.cluster import SCHEDULER_ENV, open_runner

        monkeypatch.setenv(SCHEDULER_ENV, address)
        with open_runner() as runner:
            assert runner.description == f"Dask cluster at {address}"
            (via_env,) = run_sweep(contexts[:1], model, 20_000, seed=1, runner=runner)
        assert via_env.to_dict()["percentiles"] == local.to_dict()["percentiles"]
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)


def test_unreachable_scheduler_is_one_sentence():
    from mapapp.uncertainty.cluster import ClusterError

    # a loopback port nobody listens on
    with pytest.raises(ClusterError) as e:
        DaskRunner("tcp://127.0.0.1:9", connect_timeout=2)
    msg = str(e.value)
    assert msg.startswith("cannot reach the Dask scheduler at tcp://127.0.0.1:9 (")
    assert "\n" not in msg and "--scheduler" in msg
