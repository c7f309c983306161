"""Tests of the built site, in a real browser and over its files: ``nox -s browser``."""
