"""Dockerfile and build observations."""

from pytest_bdd import scenarios

scenarios(".")
