"""Serve textlab: `python app.py [--host HOST] [--port PORT] [--share] [--threads N]`."""

import sys

from textlab.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
