"""The `mj` command line: click commands that parse, call journal/ or projections/, and render."""
