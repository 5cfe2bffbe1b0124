"""Root conftest: the labjournal plugin and the shared step vocabulary (docs/steps.md)."""

pytest_plugins = [
    "labjournal.plugin",
    "steps.build_steps",
]
