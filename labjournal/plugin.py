"""The pytest plugin: lab-host selection, per-host parametrisation, row selection, cleanup.

Loaded from the root ``conftest.py``. Every scenario under ``features/`` runs once per
selected lab host (``--env NAME``, repeatable; ``local`` by default) with the host's name in
the test id; a journal row (an Examples table tagged with a build key) runs only on hosts of
that build, or on hosts whose baseline chain reaches it when their own build has no rows.
"""

from __future__ import annotations

import logging
import os
import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from labjournal.config import Environment, known_environments, load_environment
from labjournal.errors import ConfigError, LabError
from labjournal.journal import Journal
from labjournal.lab import Bench, LabHost
from labjournal.resources import Run, cleanup_run, new_run_id, sweep

log = logging.getLogger("labjournal")

HOSTS = pytest.StashKey[dict[str, LabHost]]()
RUN = pytest.StashKey[Run]()
ROW_BUILD = pytest.StashKey[str]()
SWEPT = pytest.StashKey[set[str]]()
TAG = re.compile(r"(?<![\w@])@([\w.:\-]+)")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("labjournal", "labjournal lab hosts")
    group.addoption("--env", action="append", dest="lab_envs", metavar="NAME",
                    help="lab host to run against: a name in environments/ or a YAML path "
                    "(repeatable; default: local)")
    group.addoption("--run-id", dest="lab_run_id", help="run id stamped on created resources")
    group.addoption("--no-sweep", action="store_true", dest="lab_no_sweep",
                    help="do not remove resources that ended runs left behind")
    group.addoption("--sweep-age", type=float, default=6 * 3600, dest="lab_sweep_age",
                    help="remove leftovers of other machines' runs older than this (seconds)")


def pytest_configure(config: pytest.Config) -> None:
    workerinput = getattr(config, "workerinput", None)
    if workerinput:
        run = Run(workerinput["labjournal_run_id"], workerinput["labjournal_owner"])
    else:
        run = Run(config.getoption("lab_run_id") or new_run_id())
        if hasattr(signal, "SIGTERM"):
            signal.signal(signal.SIGTERM, _terminate)
    config.stash[RUN] = run
    names = config.getoption("lab_envs") or [os.environ.get("LABJOURNAL_ENV", "local")]
    try:
        envs = [load_environment(n) for n in dict.fromkeys(names)]
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[HOSTS] = {e.name: LabHost(e, run) for e in envs}
    config.stash[SWEPT] = set()
    _register_tags(config)
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistHooks(), "labjournal-xdist")


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM ends the run like Ctrl-C, so cleanup runs."""
    raise KeyboardInterrupt(f"signal {signum}")


def _register_tags(config: pytest.Config) -> None:
    """Declare every Gherkin tag used under features/ as a marker (so -m works, no warnings)."""
    root = Path(str(config.rootpath)) / "features"
    tags: set[str] = set()
    for feature in root.rglob("*.feature"):
        for line in feature.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith("@"):
                tags.update(TAG.findall(line))
    for tag in sorted(tags | set(all_build_keys())):
        config.addinivalue_line("markers", f"{tag}: journal tag")


class _XdistHooks:
    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node) -> None:
        run = node.config.stash[RUN]
        node.workerinput["labjournal_run_id"] = run.run_id
        node.workerinput["labjournal_owner"] = run.owner


def all_build_keys() -> dict[str, str | None]:
    """Build key -> baseline build key, over every environment file."""
    keys: dict[str, str | None] = {}
    for name in known_environments():
        try:
            env = load_environment(name)
        except ConfigError as exc:  # its rows would otherwise run on every host
            raise pytest.UsageError(str(exc)) from None
        keys.setdefault(env.build, env.baseline)
    return keys


def baseline_chain(env: Environment, builds: dict[str, str | None]) -> list[str]:
    """``env``'s build followed by its baselines, nearest first."""
    chain = [env.build]
    nxt = env.baseline
    while nxt and nxt not in chain:
        chain.append(nxt)
        nxt = builds.get(nxt)
    return chain


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "lab_host" in metafunc.fixturenames:
        names = list(metafunc.config.stash[HOSTS])
        metafunc.parametrize("lab_host", names, ids=names, indirect=True, scope="session")


def row_builds(item: pytest.Item, builds: dict[str, str | None]) -> set[str]:
    """The build keys a journal row is tagged with."""
    return {m.name for m in item.iter_markers() if m.name in builds}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep, for each host, the rows of its build (or of its nearest baseline with rows)."""
    builds = all_build_keys()
    hosts = config.stash[HOSTS]
    by_scenario: dict[str, set[str]] = {}
    for item in items:
        if _host_param(item):
            by_scenario.setdefault(_scenario_key(item), set()).update(row_builds(item, builds))
    keep, drop = [], []
    for item in items:
        name = _host_param(item)
        if not name:
            keep.append(item)
            continue
        tagged = row_builds(item, builds)
        if not tagged:
            keep.append(item)
            continue
        recorded = by_scenario[_scenario_key(item)]
        chain = baseline_chain(hosts[name].env, builds)
        effective = next((b for b in chain if b in recorded), None)
        if effective in tagged:
            item.stash[ROW_BUILD] = effective
            keep.append(item)
        else:
            drop.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _host_param(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("lab_host") if callspec else None


def _scenario_key(item: pytest.Item) -> str:
    return f"{item.path}::{getattr(item, 'originalname', item.name)}"


@pytest.fixture(scope="session")
def lab_host(request: pytest.FixtureRequest) -> LabHost:
    """The lab host this test runs on, connected (and swept) once per process."""
    name = getattr(request, "param", None)
    if name is None:
        pytest.skip("not parametrised with a lab host (scenarios under features/ are)")
    host = request.config.stash[HOSTS][name]
    engine = host.connect()
    swept = request.config.stash[SWEPT]
    if name not in swept and not request.config.getoption("lab_no_sweep"):
        swept.add(name)
        try:
            sweep(engine, max_age=request.config.getoption("lab_sweep_age"),
                  current_run=host.run.run_id)
        except LabError as exc:  # leftovers wait for the next sweep; the run goes on
            log.warning("sweep on %s did not finish: %s", name, exc)
    return host


@pytest.fixture
def journal_build(request: pytest.FixtureRequest, lab_host: LabHost) -> str:
    """The build key whose recorded row this test compares with (own build or baseline)."""
    return request.node.stash.get(ROW_BUILD, lab_host.build_key)


@pytest.fixture
def bench(request: pytest.FixtureRequest, lab_host: LabHost) -> Iterator[Bench]:
    """This scenario's workspace on the lab host; its resources go when the scenario ends."""
    b = Bench(lab_host, request.node.nodeid)
    yield b
    b.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if call.excinfo is not None and isinstance(call.excinfo.value, LabError):
        exc = call.excinfo.value
        report.longrepr = f"{type(exc).__name__}: {exc}"
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Remove everything this run created on every host this process touched."""
    config = session.config
    is_controller = config.pluginmanager.hasplugin("dsession")
    is_worker = hasattr(config, "workerinput")
    for host in config.stash[HOSTS].values():
        if is_worker:  # other workers may still be running: the controller cleans up
            host.close()
            continue
        if not host.connected and is_controller:
            try:  # workers may have died: clean up after them
                host.connect()
            except LabError:
                continue
        if host.connected:
            try:
                cleanup_run(host.engine, host.run.run_id)
            except LabError as exc:
                log.warning("cleanup on %s failed: %s", host.name, exc)
            host.close()


@pytest.fixture
def journal(request: pytest.FixtureRequest, journal_build: str) -> Journal:
    """Compare observations with the recorded row (raises JournalMismatch on a difference)."""
    return Journal(request, journal_build)
