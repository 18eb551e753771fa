"""The pagerctl suite, by command group (tests/pagerctl_test.py is its entry point)."""
