"""Observations about running containers."""

from pytest_bdd import scenarios

scenarios(".")
