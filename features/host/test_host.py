"""Observations about the container host itself."""

from pytest_bdd import scenarios

scenarios(".")
