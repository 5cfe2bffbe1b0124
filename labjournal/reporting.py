"""Verdicts, Allure results, record mode and redaction for runs (issue 4; docs/reports.md).

* Every (row, host) gets a verdict (:mod:`labjournal.verdicts`); the process that ran the
  test sends it, with the observations, to the controller in ``report.user_properties``; the
  controller writes ``<reports>/runs/<run>/verdicts.jsonl`` and applies ``--record``.
* The project's ``--alluredir`` (``reports/allure-results``) is redirected to
  ``<reports>/runs/<run>/allure-results``: one folder per run, never shared, never cleaned.
* Allure results are completed before they are written: status from the verdict, labels
  (observation, area, builds, host, engine, OS build, verdict), links, evidence; every string
  and attachment has the environments' secrets redacted.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import allure_commons
import pytest

from labjournal.journal import OBSERVATIONS
from labjournal.redact import Redactor, secret_values
from labjournal.resources import new_run_id
from labjournal.verdicts import (
    Outcome,
    Verdict,
    classify,
    combine,
    observation_id,
)

REPORTING = pytest.StashKey["Reporting"]()
PHASES = pytest.StashKey[list[Outcome]]()
STEPS = pytest.StashKey[list[tuple[int, list[str]]]]()
CLEANUP = pytest.StashKey[str]()
PROPERTY = "labjournal.verdict"
WRITEUP_TP5 = "https://www.kaitoy.xyz/2016/07/11/windows_containers_on_tp5/"
WRITEUP_TP4 = "https://www.kaitoy.xyz/2016/01/22/pcap4j-meets-windows-containers/"
ISSUE = re.compile(r"\b(moby|docker)(?:/moby)?\s*(?:issue\s*#?|#)\s*(\d+)", re.IGNORECASE)
PARAM = re.compile(r"<([^<>\s][^<>]*)>")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("labjournal-reports", "labjournal verdicts and record mode")
    group.addoption("--lab-reports", dest="lab_reports", metavar="DIR",
                    help="where runs keep verdicts and Allure results (default: reports/)")
    group.addoption("--record", action="store_true", dest="lab_record",
                    help="write what the hosts did into the features, for each host's build")
    group.addoption("--record-dry-run", action="store_true", dest="lab_record_dry_run",
                    help="print the unified diff --record would apply, change nothing")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Fix the run id and the per-run folder before plugin.py and allure configure."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput and "labjournal_run_id" in workerinput:
        run_id = workerinput["labjournal_run_id"]
    else:
        run_id = config.getoption("lab_run_id", None) or new_run_id()
        config.option.lab_run_id = run_id
    root = Path(str(config.rootpath))
    reports = Path(config.getoption("lab_reports") or root / "reports").resolve()
    run_dir = reports / "runs" / run_id
    alluredir = getattr(config.option, "allure_report_dir", None)
    if alluredir and Path(alluredir).resolve() in (reports / "allure-results",
                                                   (root / "reports" / "allure-results")):
        config.option.allure_report_dir = str(run_dir / "allure-results")
    reporting = Reporting(config, run_id, reports, run_dir)
    config.stash[REPORTING] = reporting
    config.pluginmanager.register(reporting, "labjournal-reporting")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Outermost: redact secrets after every other plugin has shaped the report (plugin.py
    rewrites the text of labjournal's own errors)."""
    report = yield
    reporting = item.config.stash.get(REPORTING, None)
    if reporting is not None and reporting.redactor:
        _redact_report(report, reporting.redactor)
    return report


class Reporting:
    """The per-process reporting plugin (see the module docstring)."""

    def __init__(self, config: pytest.Config, run_id: str, reports: Path, run_dir: Path):
        self.config = config
        self.run_id = run_id
        self.reports = reports
        self.run_dir = run_dir
        self.started = time.time()
        self.is_worker = hasattr(config, "workerinput")
        self.verdicts: list[dict[str, Any]] = []
        self.pending: dict[str, dict[str, Any]] = {}
        self.record_diff: str | None = None
        self.record_notes: list[str] = []
        self._redactor: Redactor | None = None
        self._allure = _AllureHooks.register(self)

    # -- redaction -------------------------------------------------------------------
    @property
    def redactor(self) -> Redactor:
        if self._redactor is None:
            from labjournal.plugin import HOSTS
            hosts = self.config.stash.get(HOSTS, {})
            self._redactor = Redactor(secret_values(h.env for h in hosts.values()))
        return self._redactor

    # -- during the test -------------------------------------------------------------
    @pytest.hookimpl
    def pytest_bdd_before_step(self, request: pytest.FixtureRequest, feature, scenario,
                               step, step_func) -> None:
        """Remember which outline parameters the current step's template uses."""
        item = request.node
        template = _template(item)
        params: list[str] = []
        if template is not None and step in scenario.steps:
            tstep = template.steps[scenario.steps.index(step)]
            params = PARAM.findall(f"{tstep.name}\n{tstep.docstring or ''}")
        done = len(item.stash.get(OBSERVATIONS, []))
        item.stash.setdefault(STEPS, []).append((done, params))

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        if _host(item) is None:
            return report
        compared, host_build = _builds(item)
        outcome = classify(call.when, call.excinfo, compared, host_build)
        if report.when != "call" and outcome.verdict == "reproduced":
            outcome = None
        if outcome is not None and report.when == "teardown" and item.stash.get(PHASES, []):
            # the row was judged already: a failed cleanup is noted, not a verdict
            item.stash[CLEANUP] = outcome.message
            outcome = None
        if outcome is not None:
            item.stash.setdefault(PHASES, []).append(outcome)
        if self.redactor:
            _redact_report(report, self.redactor)
        if report.when == "teardown":
            verdict = self._verdict(item)
            report.user_properties.append((PROPERTY, asdict(verdict)))
            self._to_allure(item, verdict)
        return report

    def _verdict(self, item: pytest.Item) -> Verdict:
        compared, host_build = _builds(item)
        final = combine(item.stash.get(PHASES, []))
        if CLEANUP in item.stash:
            final.message = "; ".join(filter(None, [final.message,
                                                    f"cleanup: {item.stash[CLEANUP]}"]))
        template = _template(item)
        tags = set(template.tags) if template is not None else {m.name for m in
                                                                  item.iter_markers()}
        obs_id = observation_id(tags) or "unknown"
        root = Path(str(self.config.rootpath))
        feature = ""
        if template is not None:
            path = Path(template.feature.filename)
            feature = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
        row = dict(_example(item))
        verdict = Verdict(
            run=self.run_id, time=time.time(), nodeid=item.nodeid, observation=obs_id,
            area=obs_id.split("-")[0] if obs_id != "unknown" else _area(feature),
            scenario=template.name if template is not None else item.name, feature=feature,
            row=row, host=_host(item) or "", host_build=host_build, compared_with=compared,
            verdict=final.verdict, status=final.status, message=final.message,
            observations=_observations(item, row), facts=_facts(item),
        )
        verdict.scenario_line = template.line_number if template is not None else 0
        if self.redactor:
            verdict = Verdict.from_dict(self.redactor.data(asdict(verdict)))
        return verdict

    # -- Allure ----------------------------------------------------------------------
    def _to_allure(self, item: pytest.Item, verdict: Verdict) -> None:
        hooks = self._allure
        if hooks is None:
            return
        enrich = _enrichment(item, verdict)
        uuid = hooks.listener.nodeid_to_uuid.get(item.nodeid) if hooks.listener else None
        if uuid and hooks.has_test_case(uuid):
            self.pending[uuid] = enrich
        else:  # the scenario never started (setup error or skip): write the result here
            hooks.write_result(item, verdict, enrich)

    # -- the controller --------------------------------------------------------------
    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.is_worker or report.when != "teardown":
            return
        for name, value in report.user_properties:
            if name == PROPERTY:
                self.verdicts.append(value)

    @pytest.hookimpl
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.is_worker or self.config.option.collectonly or not self.verdicts:
            return
        self.run_dir.mkdir(parents=True, exist_ok=True)
        lines = [Verdict.from_dict(v).to_json() for v in self.verdicts]
        (self.run_dir / "verdicts.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (self.run_dir / "run.json").write_text(json.dumps(self._run_meta(), indent=2) + "\n",
                                               encoding="utf-8")
        if self.config.getoption("lab_record") or self.config.getoption("lab_record_dry_run"):
            from labjournal.record import record
            dry = bool(self.config.getoption("lab_record_dry_run"))
            result = record([Verdict.from_dict(v) for v in self.verdicts],
                            Path(str(self.config.rootpath)), write=not dry)
            self.record_diff, self.record_notes = result.diff, result.notes
        if self.redactor:
            self.redactor.tree(self.run_dir)

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        """Leave no empty run folder behind (collect-only runs, the project's own tests)."""
        if self.is_worker:
            return
        for folder in (self.run_dir / "allure-results", self.run_dir):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()

    def _run_meta(self) -> dict[str, Any]:
        from labjournal.plugin import HOSTS
        hosts = self.config.stash.get(HOSTS, {})
        facts: dict[str, dict[str, Any]] = {}
        for v in self.verdicts:
            if v.get("facts"):
                facts.setdefault(v["host"], v["facts"])
        return {
            "run": self.run_id, "started": self.started, "finished": time.time(),
            "hosts": {name: {"build": h.env.build, "baseline": h.env.baseline,
                             "platform": h.env.platform, "facts": facts.get(name, {})}
                      for name, h in hosts.items()},
            "verdicts": len(self.verdicts),
        }

    @pytest.hookimpl
    def pytest_terminal_summary(self, terminalreporter, exitstatus, config) -> None:
        if self.is_worker or not self.verdicts:
            return
        counts: dict[str, int] = {}
        for v in self.verdicts:
            counts[v["verdict"]] = counts.get(v["verdict"], 0) + 1
        tr = terminalreporter
        tr.section("labjournal verdicts")
        tr.write_line(", ".join(f"{n} {k}" for k, n in sorted(counts.items())) +
                      f"  (run {self.run_id}: {self.run_dir})")
        for v in self.verdicts:
            if v["verdict"] in ("changed", "broken"):
                tr.write_line(f"{v['verdict']}: {v['observation']} on {v['host']} "
                              f"[{v['nodeid']}]: {v['message']}")
        if self.record_diff is not None:
            tr.section("labjournal record" + (" (dry run)" if self.config.getoption(
                "lab_record_dry_run") else ""))
            tr.write(self.record_diff)
            tr.write_line(f"{len(self.record_diff.splitlines())} diff lines")
        for note in self.record_notes:
            tr.write_line(f"record: {note}")


def _redact_report(report: pytest.TestReport, redactor: Redactor) -> None:
    """Keep secrets out of the terminal: longrepr and captured sections."""
    if report.longrepr is not None:
        text = str(report.longrepr)
        clean = redactor.text(text)
        if clean != text:
            report.longrepr = clean
    report.sections = [(title, redactor.text(body)) for title, body in report.sections]


def _template(item: pytest.Item):
    from pytest_bdd.scenario import scenario_wrapper_template_registry
    obj = getattr(item, "obj", None)
    try:
        return scenario_wrapper_template_registry.get(obj) if obj is not None else None
    except TypeError:
        return None


def _host(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("lab_host") if callspec else None


def _example(item: pytest.Item) -> dict[str, str]:
    callspec = getattr(item, "callspec", None)
    return dict(callspec.params.get("_pytest_bdd_example", {})) if callspec else {}


def _builds(item: pytest.Item) -> tuple[str, str]:
    """(the build whose row is compared, the host's own build)."""
    from labjournal.plugin import HOSTS, ROW_BUILD
    host = item.config.stash[HOSTS].get(_host(item) or "")
    own = host.build_key if host else ""
    return item.stash.get(ROW_BUILD, own), own


def _area(feature: str) -> str:
    parts = Path(feature).parts
    return parts[1] if len(parts) > 2 and parts[0] == "features" else ""


def _facts(item: pytest.Item) -> dict[str, str]:
    from labjournal.plugin import HOSTS
    host = item.config.stash[HOSTS].get(_host(item) or "")
    if host is None:
        return {}
    facts = {f"env.{k}": str(v) for k, v in host.env.facts.items()}
    if host.connected:
        facts.update(host.engine.facts.as_dict())
    return facts


def _observations(item: pytest.Item, row: dict[str, str]) -> list[dict[str, Any]]:
    """The row's observations, each with the example columns its recorded value came from."""
    steps = item.stash.get(STEPS, [])
    out = []
    for i, obs in enumerate(item.stash.get(OBSERVATIONS, [])):
        params = next((p for start, p in reversed(steps) if start <= i), [])
        columns = [c for c, v in row.items() if v == obs.recorded]
        preferred = [c for c in columns if c in params]
        out.append({"what": obs.what, "recorded": obs.recorded, "observed": obs.observed,
                    "matched": obs.matched, "columns": preferred or columns,
                    "evidence": sorted(obs.evidence)})
    return out


def _enrichment(item: pytest.Item, verdict: Verdict) -> dict[str, Any]:
    """Labels, links, attachments and status for the row's Allure result."""
    labels = [("epic", verdict.area), ("story", verdict.observation),
              ("labjournal.observation", verdict.observation),
              ("labjournal.area", verdict.area), ("labjournal.host", verdict.host),
              ("labjournal.build", verdict.compared_with),
              ("labjournal.host-build", verdict.host_build),
              ("labjournal.verdict", verdict.verdict)]
    facts = verdict.facts
    if facts.get("engine_version"):
        labels.append(("labjournal.engine", f"{facts.get('product', '')} "
                       f"{facts['engine_version']}".strip()))
    if facts.get("os_build"):
        labels.append(("labjournal.os-build", facts["os_build"]))
    links = [("link", WRITEUP_TP5, "writeup: TP5 (2016-07-11)")]
    template = _template(item)
    texts = [verdict.scenario, *verdict.row.values()]
    tp4 = verdict.compared_with == "tp4"
    if template is not None:
        texts += [template.feature.description or "", template.description or ""]
        tp4 = tp4 or any("tp4" in ex.tags for ex in template.examples) or \
            "TP4" in (template.feature.description or "")
    if tp4:
        links.append(("link", WRITEUP_TP4, "writeup: TP4 (2016-01-22)"))
    for m in dict.fromkeys(ISSUE.finditer("\n".join(texts)), None):
        links.append(("issue", f"https://github.com/moby/moby/issues/{m.group(2)}",
                      f"moby#{m.group(2)}"))
    attachments: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for obs in item.stash.get(OBSERVATIONS, []):
        for name, value in obs.evidence.items():
            if (name, value) not in seen:
                seen.add((name, value))
                attachments.append((name, value, "text/plain"))
    if verdict.observations:
        table = "\n".join(f"{o['what']}: recorded {o['recorded']!r} for "
                          f"{verdict.compared_with}, observed {o['observed']!r} "
                          f"({'matches' if o['matched'] else 'differs'})"
                          for o in verdict.observations)
        attachments.append(("journal comparison", table + "\n", "text/plain"))
    if facts:
        attachments.append(("engine facts", json.dumps(facts, indent=2) + "\n",
                            "application/json"))
    return {"labels": labels, "links": _unique(links), "attachments": attachments,
            "status": verdict.status, "message": verdict.message,
            "verdict": verdict.verdict}


def _unique(items: list) -> list:
    return list(dict.fromkeys(items))


class _AllureHooks:
    """allure-commons hooks: complete each result before the file logger writes it."""

    def __init__(self, reporting: Reporting, listener_type: type) -> None:
        self.reporting = reporting
        self._listener_type = listener_type
        self._listener: Any = None

    @classmethod
    def register(cls, reporting: Reporting) -> _AllureHooks | None:
        config = reporting.config
        if not getattr(config.option, "allure_report_dir", None):
            return None
        from allure_pytest_bdd.pytest_bdd_listener import PytestBDDListener
        hooks = cls(reporting, PytestBDDListener)
        allure_commons.plugin_manager.register(hooks)
        config.add_cleanup(lambda: allure_commons.plugin_manager.unregister(hooks))
        return hooks

    @property
    def listener(self) -> Any:
        """allure-pytest-bdd's listener (registered after this plugin configures)."""
        if self._listener is None:
            self._listener = next((p for p in self.reporting.config.pluginmanager.get_plugins()
                                   if isinstance(p, self._listener_type)), None)
        return self._listener

    @property
    def alluredir(self) -> Path:
        return Path(self.reporting.config.option.allure_report_dir)

    def has_test_case(self, uuid: str) -> bool:
        from allure_commons.model2 import TestResult
        return isinstance(self.listener.lifecycle._items.get(uuid), TestResult)

    def write_result(self, item: pytest.Item, verdict: Verdict, enrich: dict) -> None:
        """A result for a row whose scenario never started (same historyId as usual)."""
        from allure_commons.model2 import Label, Parameter, StatusDetails, TestResult
        from allure_commons.utils import md5, now, represent, uuid4
        template = _template(item)
        feature = template.feature if template is not None else None
        example = _example(item)
        name = template.render(example).name if template is not None else item.name
        full_name = f"{os.path.normpath(feature.rel_filename)}:{name}" if feature \
            else item.nodeid
        params = {"lab_host": verdict.host, **example}
        result = TestResult(uuid=uuid4(), name=name, fullName=full_name)
        result.testCaseId = md5(full_name)  # as allure-pytest-bdd does
        result.historyId = f"{result.testCaseId}." + md5(*(params[k] for k in sorted(params)))
        result.start = result.stop = now()
        result.parameters = [Parameter(name=k, value=v) for k, v in example.items()]
        result.parameters.append(Parameter(name="lab_host", value=represent(verdict.host)))
        result.statusDetails = StatusDetails(message=verdict.message)
        result.titlePath = ["features", verdict.area, feature.name] if feature else []
        self.reporting.pending[result.uuid] = enrich
        result.labels += [Label(name="feature", value=feature.name)] if feature else []
        result.labels += [Label(name="framework", value="pytest-bdd")]
        allure_commons.plugin_manager.hook.report_result(result=result)

    def _attach(self, body: str, name: str, mime: str):
        from allure_commons.model2 import Attachment
        from allure_commons.utils import uuid4
        ext = "json" if mime == "application/json" else "txt"
        file_name = f"{uuid4()}-attachment.{ext}"
        body = self.reporting.redactor.text(body) if self.reporting.redactor else body
        allure_commons.plugin_manager.hook.report_attached_data(body=body, file_name=file_name)
        return Attachment(name=name, source=file_name, type=mime)

    def _apply(self, result: Any, enrich: dict) -> None:
        from allure_commons.model2 import Label, Link, StatusDetails
        result.status = enrich["status"]
        if enrich["verdict"] != "reproduced" and enrich["message"]:
            old = result.statusDetails.message if result.statusDetails else ""
            details = result.statusDetails or StatusDetails()
            details.message = enrich["message"] + (f"\n\n{old}" if old and
                                                   old not in enrich["message"] else "")
            result.statusDetails = details
        result.labels += [Label(name=n, value=v) for n, v in enrich["labels"] if v]
        result.links += [Link(type=t, url=u, name=n) for t, u, n in enrich["links"]]
        result.attachments += [self._attach(b, n, m) for n, b, m in enrich["attachments"]]

    @allure_commons.hookimpl(tryfirst=True)
    def report_result(self, result: Any) -> None:
        enrich = self.reporting.pending.pop(result.uuid, None)
        if enrich is not None:
            self._apply(result, enrich)
        if self.reporting.redactor:
            _redact_model(result, self.reporting.redactor)

    @allure_commons.hookimpl(trylast=True)
    def report_attached_data(self, body: Any, file_name: str) -> None:
        if self.reporting.redactor:
            self.reporting.redactor.file(self.alluredir / file_name)

    @allure_commons.hookimpl(trylast=True)
    def report_attached_file(self, source: Any, file_name: str) -> None:
        if self.reporting.redactor:
            self.reporting.redactor.file(self.alluredir / file_name)


def _redact_model(obj: Any, redactor: Redactor) -> None:
    """Redact every string field of an allure-commons model object, recursively."""
    for f in getattr(type(obj), "__attrs_attrs__", ()):
        value = getattr(obj, f.name)
        if isinstance(value, str):
            setattr(obj, f.name, redactor.text(value))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                if isinstance(v, str):
                    value[i] = redactor.text(v)
                else:
                    _redact_model(v, redactor)
        elif value is not None and hasattr(type(value), "__attrs_attrs__"):
            _redact_model(value, redactor)
