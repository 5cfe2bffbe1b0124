"""Steps: network (see docs/steps.md)."""
