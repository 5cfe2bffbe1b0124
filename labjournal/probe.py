"""The Linux probe base image, built locally with no registry.

The recipe (``labjournal/images/probe/``: a Dockerfile and a package list) is hashed; the
image is tagged ``labjournal/probe:<hash>`` and reused until the recipe changes. Its root
filesystem comes from Debian's packages through ``mmdebstrap`` (which uses this machine's
apt sources), cached as a tarball under ``~/.cache/labjournal`` and shared by every engine.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import shutil
import subprocess
import tarfile
import time
from collections.abc import Callable
from pathlib import Path

from labjournal.engine import Engine
from labjournal.errors import ApparatusFailed, ConfigError, LabTimeout
from labjournal.resources import CACHE, PROJECT

log = logging.getLogger("labjournal.probe")
RECIPES = Path(__file__).parent / "images"
CACHE_DIR = Path(os.environ.get("LABJOURNAL_CACHE", Path.home() / ".cache" / "labjournal"))


def _suite() -> str:
    for line in Path("/etc/os-release").read_text().splitlines():
        if line.startswith("VERSION_CODENAME="):
            return line.split("=", 1)[1].strip('"')
    return "bookworm"


def recipe_files(recipe: str) -> dict[str, str]:
    folder = RECIPES / recipe
    if not (folder / "Dockerfile").is_file():
        known = ", ".join(sorted(p.name for p in RECIPES.iterdir() if (p / "Dockerfile").exists()))
        raise ConfigError(f"no image recipe '{recipe}'", where=str(RECIPES),
                          hint=f"use one of: {known}")
    return {p.name: p.read_text() for p in sorted(folder.iterdir()) if p.is_file()}


def packages(recipe: str) -> list[str]:
    text = recipe_files(recipe).get("packages.txt", "")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def recipe_hash(recipe: str) -> str:
    """Hash of everything that shapes the image: recipe files and the Debian suite."""
    h = hashlib.sha256(_suite().encode())
    for name, text in recipe_files(recipe).items():
        h.update(name.encode() + b"\0" + text.encode() + b"\0")
    return h.hexdigest()[:12]


def image_ref(name: str, recipe: str) -> str:
    return f"{name}:{recipe_hash(recipe)}"


def rootfs_tarball(recipe: str, progress: Callable[[str], None], timeout: float) -> Path:
    """The cached root filesystem tarball for ``recipe``, made with mmdebstrap if missing."""
    target = CACHE_DIR / f"{recipe}-rootfs-{recipe_hash(recipe)}.tar"
    if target.is_file():
        return target
    if shutil.which("mmdebstrap") is None:
        raise ConfigError("mmdebstrap is not installed, so the probe image cannot be built",
                          where="this machine",
                          hint="apt-get install mmdebstrap (./lab does it), or set "
                          "base_image.obtain: pull with an image of your own")
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.stem + ".partial.tar")
    cmd = ["mmdebstrap", "--variant=minbase", "--format=tar",
           "--include=" + ",".join(packages(recipe)), _suite(), str(partial)]
    progress(f"making the probe root filesystem: {' '.join(cmd)}")
    started = time.monotonic()
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as p:
        try:
            assert p.stdout is not None
            for line in p.stdout:
                progress(line.rstrip())
                if time.monotonic() - started > timeout:
                    p.kill()
                    raise LabTimeout(f"mmdebstrap did not finish within {timeout:g} s",
                                     where="this machine", hint="raise timeouts.build")
        except BaseException:
            p.kill()
            partial.unlink(missing_ok=True)
            raise
    if p.returncode != 0:
        partial.unlink(missing_ok=True)
        raise ApparatusFailed(f"mmdebstrap failed with exit code {p.returncode}",
                            where="this machine",
                            hint="check apt access (apt-get update) and the package list")
    partial.rename(target)
    return target


def ensure_probe_image(engine: Engine, progress: Callable[[str], None]) -> str:
    """Return the probe image reference on ``engine``, building it when the recipe is new."""
    base = engine.env.base_image
    recipe = base.recipe or "probe"
    ref = image_ref(base.name, recipe)
    if engine.image_exists(ref):
        return ref
    timeout = engine.env.timeouts.build
    rootfs = rootfs_tarball(recipe, progress, timeout)
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as tar:
        for name, text in recipe_files(recipe).items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        tar.add(rootfs, arcname="rootfs.tar")
    context.seek(0)
    labels = {PROJECT: "labjournal", CACHE: recipe_hash(recipe)}
    progress(f"building {ref} on {engine.env.name}")
    old = engine.client.api.timeout
    engine.client.api.timeout = timeout
    try:
        with engine.calls(f"building the probe image {ref}", timeout):
            for chunk in engine.client.api.build(fileobj=context, custom_context=True, tag=ref,
                                                 labels=labels, rm=True, forcerm=True,
                                                 decode=True):
                if "error" in chunk:
                    raise ApparatusFailed(f"building the probe image was refused: "
                                        f"{chunk['error'].strip()}", where=engine.where,
                                        hint="see the build log above")
                if chunk.get("stream", "").strip():
                    progress(chunk["stream"].rstrip())
    finally:
        engine.client.api.timeout = old
    return ref
