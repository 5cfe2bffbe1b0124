"""Steps: common (see docs/steps.md)."""
