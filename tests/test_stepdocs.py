"""The step vocabulary is documented, and docs/steps.md matches the code."""

from labjournal.stepdocs import DOC, registered_steps, render


def test_every_step_has_a_docstring():
    missing = [f"{m}: {c.parser.name}" for m, cs in registered_steps().items() for c in cs
               if not (c.step_func.__doc__ or "").strip()]
    assert not missing, missing


def test_docs_steps_md_is_current():
    assert DOC.read_text() == render(), "run: .venv/bin/python -m labjournal.stepdocs"
