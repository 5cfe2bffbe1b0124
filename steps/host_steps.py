"""Steps: host (see docs/steps.md)."""
