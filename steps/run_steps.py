"""Steps: run (see docs/steps.md)."""
