# PYTHON_ARGCOMPLETE_OK
"""`python -m llmzero.cli ...` (and `torchrun -m llmzero.cli ...`) is the `llmzero` command."""

import sys

from llmzero.cli import main

sys.exit(main())
