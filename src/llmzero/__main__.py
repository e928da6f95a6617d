"""`python -m llmzero ...` (and `torchrun -m llmzero ...`) is the `llmzero` command."""

import sys

from llmzero.cli import main

sys.exit(main())
