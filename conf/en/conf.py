"""Sphinx configuration of the English site; the shared part is conf/dlguide_site.py."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # finds dlguide_site

from dlguide_site import settings

globals().update(settings("en", project="Deep Learning with PyTorch: A Guide"))
