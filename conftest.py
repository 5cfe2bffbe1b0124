"""Root conftest: the labjournal plugins and the shared step vocabulary (docs/steps.md)."""

pytest_plugins = [
    "labjournal.plugin",
    "labjournal.reporting",
    "steps.common_steps",
    "steps.build_steps",
    "steps.run_steps",
    "steps.host_steps",
    "steps.network_steps",
    "steps.timing_steps",
]
