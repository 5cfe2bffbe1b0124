"""Labels and cleanup against the real engines: nothing a run creates outlives it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import docker
import pytest

from labjournal.config import load_environment
from labjournal.engine import Engine
from labjournal.lab import Bench, LabHost
from labjournal.resources import (
    CACHE,
    KINDS,
    OWNER,
    PROJECT,
    RUN,
    Run,
    _list,
    cleanup_run,
    label_dockerfile,
    new_run_id,
    sweep,
)
from tests.conftest import journal_env

ENGINES = ["local", "podman"]


def leftovers(engine: Engine, run_id: str) -> dict[str, list[str]]:
    """Everything on the engine still carrying the run's label."""
    flt = {"label": f"{RUN}={run_id}"}
    found = {kind: sorted(r.id for r in _list(engine, kind, flt)) for kind in KINDS}
    # intermediate layers too (cleanup lists top-level images and prunes their parents)
    found["images"] = sorted(i["Id"] for i in engine.client.api.images(all=True, filters=flt))
    return found


@pytest.fixture(params=ENGINES)
def engine(request):
    e = Engine.connect(load_environment(request.param))
    yield e
    e.close()


def test_label_dockerfile_follows_every_from():
    text = label_dockerfile("# escape=`\nFROM a AS one\nRUN x\nfrom b\n", {"k": "v"})
    lines = text.splitlines()
    assert lines[0] == "# escape=`"
    assert lines[2] == 'LABEL "k"="v"' and lines[5] == 'LABEL "k"="v"'


def test_run_labels_name_project_run_owner_and_scenario():
    run = Run(new_run_id())
    labels = run.labels("features/x.feature::t")
    assert labels[PROJECT] == "labjournal" and labels[RUN] == run.run_id
    assert labels[OWNER].endswith(f":{os.getpid()}")
    assert labels["org.labjournal.scenario"] == "features/x.feature::t"


def test_builds_runs_networks_volumes_are_labelled_and_removed(engine):
    run = Run(new_run_id())
    host = LabHost(engine.env, run)
    host._engine = engine
    bench = Bench(host, "test_resources")
    ok = bench.build("RUN echo built > /built\n")
    failed = bench.build("RUN echo partial > /p\nRUN exit 3\n")
    assert ok.ok and not failed.ok
    result = bench.run(ok.image, ["cat", "/built"])
    assert result.stdout.strip() == "built"
    engine.client.networks.create(f"lj-{run.run_id}", labels=bench.labels, internal=True)
    engine.client.volumes.create(f"lj-{run.run_id}", labels=bench.labels)
    made = leftovers(engine, run.run_id)
    assert made["images"], "the built images must carry the run label"
    assert made["networks"] and made["volumes"]
    removed = cleanup_run(engine, run.run_id)
    assert removed["images"] >= 1 and removed["networks"] == 1 and removed["volumes"] == 1
    assert leftovers(engine, run.run_id) == dict.fromkeys(
        ("containers", "images", "networks", "volumes"), [])


def test_sweep_removes_dead_runs_and_keeps_live_ones_and_the_cache(engine):
    dead = Run(new_run_id(), owner=f"{os.uname().nodename}:999999999")
    live = Run(new_run_id())
    for run in (dead, live):
        engine.client.volumes.create(f"lj-{run.run_id}", labels=run.labels())
    sweep(engine, current_run=None)
    assert not leftovers(engine, dead.run_id)["volumes"]
    assert leftovers(engine, live.run_id)["volumes"]
    cached = _list(engine, "images", {"label": CACHE})
    assert cached, "the probe image is kept"
    cleanup_run(engine, live.run_id)


SLOW = """\
Feature: a slow build
  Scenario: a build that takes a while
    Given a Dockerfile with:
      \"\"\"
      RUN sleep 25
      \"\"\"
    When the image is built
    Then the build succeeds
"""

FAILING = """\
Feature: a failing build
  Scenario: a build the journal records as rejected
    Given a Dockerfile with:
      \"\"\"
      RUN echo made > /made
      \"\"\"
    When the image is built
    Then the build is rejected
"""


def _run_journal(root, run_id: str, env_name: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "features/",
         "--env", env_name, "--run-id", run_id, "--alluredir", str(root / "allure"), *extra],
        cwd=root, env={**os.environ, **journal_env()}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)


@pytest.mark.parametrize("env_name", ENGINES)
def test_failing_run_leaves_nothing(journal_copy, env_name):
    root = journal_copy({"features/build/failing.feature": FAILING}, keep_features=False)
    (root / "features" / "build" / "test_b.py").write_text(
        "from pytest_bdd import scenarios\nscenarios('.')\n")
    run_id = new_run_id()
    proc = _run_journal(root, run_id, env_name)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 1, out
    assert "the journal records 'is rejected'" in out
    engine = Engine.connect(load_environment(env_name))
    assert leftovers(engine, run_id) == dict.fromkeys(
        ("containers", "images", "networks", "volumes"), [])


@pytest.mark.parametrize("env_name", ENGINES)
def test_sigint_mid_build_leaves_nothing(journal_copy, env_name):
    root = journal_copy({"features/build/slow.feature": SLOW}, keep_features=False)
    (root / "features" / "build" / "test_b.py").write_text(
        "from pytest_bdd import scenarios\nscenarios('.')\n")
    run_id = new_run_id()
    engine = Engine.connect(load_environment(env_name))
    proc = _run_journal(root, run_id, env_name)
    try:
        # Docker lists the build's RUN container; Podman's builder containers are not in
        # the API's list, so there a few seconds into the (probe-cached) build must do.
        started = time.monotonic()
        flt = {"label": f"{RUN}={run_id}"}
        while not _list(engine, "containers", flt):
            assert proc.poll() is None, proc.stdout.read()
            if env_name == "podman" and time.monotonic() - started > 10:
                break
            assert time.monotonic() - started < 120, "the build never started"
            time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "KeyboardInterrupt" in out or "Interrupted" in out, out
    nothing = dict.fromkeys(("containers", "images", "networks", "volumes"), [])
    try:
        engine.client.api.timeout = 60
        left = leftovers(engine, run_id)
        if env_name == "podman":
            # Podman 4.3 finishes a build whose client went away and commits its image
            # afterwards; the next sweep (the run's owner process is gone) removes it.
            assert left["containers"] == left["networks"] == left["volumes"] == []
            deadline = time.monotonic() + 90
            while not leftovers(engine, run_id)["images"]:
                if time.monotonic() > deadline:
                    break
                time.sleep(1)
            sweep(engine)
            left = leftovers(engine, run_id)
        assert left == nothing
    finally:
        cleanup_run(engine, run_id)
        engine.close()


def test_sweep_command_reports_what_it_removed():
    out = subprocess.run([sys.executable, "-m", "labjournal.cli", "sweep", "--env", "local"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("local: removed ") and "containers" in out.stdout


def test_engine_client_error_is_typed(engine):
    with pytest.raises(Exception) as info, engine.calls("inspecting a missing image"):
        engine.client.images.get("labjournal/no-such-image:0")
    assert type(info.value).__name__ == "EngineRefused"
    assert "inspecting a missing image was refused" in str(info.value)
    assert isinstance(info.value.__cause__, docker.errors.NotFound)
