"""Command-line interface.  ``main.py`` holds the group; each command family has its own module."""
