"""Labels on everything a run creates, removal at the end of the run, and the sweep.

Every image, container, network and volume carries ``org.labjournal.project``, the run id,
the owning process and the scenario. :func:`cleanup_run` removes a run's resources;
:func:`sweep` removes what runs that died left behind (their owner process is gone, or
they are older than a limit).
"""

from __future__ import annotations

import logging
import os
import re
import socket
import time
import uuid
from dataclasses import dataclass, field

import docker.errors

from labjournal.engine import Engine

log = logging.getLogger("labjournal.resources")

PROJECT = "org.labjournal.project"
RUN = "org.labjournal.run"
OWNER = "org.labjournal.owner"
CREATED = "org.labjournal.created"
SCENARIO = "org.labjournal.scenario"
CACHE = "org.labjournal.cache"
KINDS = ("containers", "images", "networks", "volumes")


def new_run_id() -> str:
    """A short, sortable, unique run id (UTC time plus random)."""
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + uuid.uuid4().hex[:6]


@dataclass(frozen=True)
class Run:
    """The identity stamped on resources: run id and owning process."""

    run_id: str
    owner: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")

    def labels(self, scenario: str = "") -> dict[str, str]:
        labels = {PROJECT: "labjournal", RUN: self.run_id, OWNER: self.owner,
                  CREATED: str(int(time.time()))}
        if scenario:
            labels[SCENARIO] = scenario[:200]
        return labels


def label_dockerfile(dockerfile: str, labels: dict[str, str]) -> str:
    """Insert a LABEL after every FROM, so intermediate images of a failed build carry them."""
    label_line = "LABEL " + " ".join(f'"{k}"="{v}"' for k, v in labels.items())
    out = []
    for line in dockerfile.splitlines():
        out.append(line)
        if re.match(r"^\s*FROM\s", line, re.IGNORECASE):
            out.append(label_line)
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class Resource:
    """One labelled engine object, as the low-level listing returns it."""

    kind: str
    id: str
    labels: dict[str, str]


def _list(engine: Engine, kind: str, filters: dict, attempts: int = 10) -> list[Resource]:
    """List labelled resources with the low-level API (no per-object inspect, so an object
    removed meanwhile does not fail the listing); retried, since Podman fails a listing
    while another client removes an image it is looking at."""
    api = engine.client.api
    for attempt in range(attempts):
        try:
            if kind == "containers":
                rows = [(r["Id"], r.get("Labels")) for r in api.containers(all=True,
                                                                         filters=filters)]
            elif kind == "images":
                # Top-level images only: an interrupted build's last layer is listed, and
                # removing it prunes its untagged parents. (all=True makes Podman walk the
                # whole layer tree on every call.)
                rows = [(r["Id"], r.get("Labels")) for r in api.images(filters=filters)]
            elif kind == "networks":
                rows = [(r["Id"], r.get("Labels")) for r in api.networks(filters=filters)]
            else:
                rows = [(r["Name"], r.get("Labels"))
                        for r in api.volumes(filters=filters).get("Volumes") or []]
            return [Resource(kind, rid, labels or {}) for rid, labels in rows]
        except docker.errors.NotFound:
            continue
        except docker.errors.APIError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.3 * (attempt + 1))
    return []


def _remove(engine: Engine, res: Resource) -> None:
    api = engine.client.api
    if res.kind == "containers":
        api.remove_container(res.id, force=True, v=True)
    elif res.kind == "images":
        api.remove_image(res.id, force=True)
    elif res.kind == "networks":
        api.remove_network(res.id)
    else:
        api.remove_volume(res.id, force=True)


def remove_labelled(engine: Engine, label: str, *, settle: float = 20.0) -> dict[str, int]:
    """Remove every resource carrying ``label`` (``key=value``); retry until none is left.

    Containers go first (they hold images, networks and volumes). A build interrupted a
    moment ago may still be tearing down, so the listing is repeated for up to ``settle`` s.
    """
    removed = dict.fromkeys(KINDS, 0)
    deadline = time.monotonic() + settle
    with engine.calls(f"removing resources labelled {label}"):
        while True:
            left = 0
            for kind in KINDS:
                for res in _list(engine, kind, {"label": label}):
                    try:
                        _remove(engine, res)
                        removed[kind] += 1
                    except docker.errors.NotFound:
                        pass
                    except docker.errors.APIError as exc:
                        left += 1
                        log.debug("cannot remove %s %s yet: %s", kind, res.id, exc)
            if left == 0 or time.monotonic() > deadline:
                if left:
                    log.warning("%d resources labelled %s could not be removed on %s",
                                left, label, engine.env.name)
                return removed
            time.sleep(0.5)


def cleanup_run(engine: Engine, run_id: str) -> dict[str, int]:
    """Remove everything the run ``run_id`` created on ``engine``."""
    return remove_labelled(engine, f"{RUN}={run_id}")


def _owner_alive(owner: str) -> bool | None:
    """True/False when the owner runs on this machine; None when it is another machine's."""
    hostname, _, pid = owner.rpartition(":")
    if hostname != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep(engine: Engine, *, max_age: float = 6 * 3600, current_run: str | None = None
          ) -> dict[str, int]:
    """Remove resources of runs that are over: owner process gone, or older than ``max_age``."""
    now = time.time()
    dead: set[str] = set()
    with engine.calls("listing labjournal resources for the sweep"):
        for kind in KINDS:
            try:
                found = _list(engine, kind, {"label": f"{PROJECT}=labjournal"})
            except docker.errors.APIError as exc:  # Podman, while images are being removed
                log.warning("sweep on %s skipped %s: %s", engine.env.name, kind, exc)
                continue
            for res in found:
                labels = res.labels
                run = labels.get(RUN)
                if not run or run == current_run:
                    continue  # cached images (no run label) and the live run are kept
                alive = _owner_alive(labels.get(OWNER, ""))
                age = now - float(labels.get(CREATED, now))
                if alive is False or age > max_age:
                    dead.add(run)
    total = dict.fromkeys(KINDS, 0)
    for run in sorted(dead):
        for kind, n in remove_labelled(engine, f"{RUN}={run}", settle=5).items():
            total[kind] += n
    if dead:
        log.info("sweep on %s removed %s from %d ended runs", engine.env.name, total, len(dead))
    return total
