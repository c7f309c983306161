"""Sphinx configuration of the Chinese site; the shared part is conf/dlguide_site.py."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # finds dlguide_site

from dlguide_site import settings

globals().update(settings("zh", project="深度学习指南：PyTorch 从入门到实践"))
