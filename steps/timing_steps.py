"""Steps: timing (see docs/steps.md)."""
