"""The ``paydesk`` command line."""
