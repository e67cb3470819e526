"""The `mj` command line: click commands that parse, call journal/ or projections/, and render."""

import os

# mj uses no pydantic plugins: without this, pydantic's first model scans every installed
# package's entry points for them (20–50 ms of each command's start).
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
