"""The lab (chapter 08): one command per experiment about how a small GPT behaves, with plots and
a report.

    llmzero lab list                      # the experiments
    llmzero lab temperature --quick  # one experiment -> runs/lab/temperature/{*.png, section.md}
    llmzero lab all --quick               # all of them -> runs/lab/report.md

From Python::

    from llmzero.lab import LabContext, run_experiment, run_all
    ctx = LabContext(out="runs/lab", quick=True, seed=1337)
    print(run_experiment("temperature", ctx).reading())
"""

from llmzero.lab import (
    alignment,
    architectures,
    behaviour,
    interpret,
    ngram,
    sampling,
    strategies,
    tool_use,
    training_runs,
)
from llmzero.lab.core import (
    EXPERIMENTS,
    Answer,
    Experiment,
    ExperimentResult,
    LabContext,
    LabModel,
    answer,
    distinct_n,
    experiment,
    experiments,
    keyword_match,
    repetition_rate,
    run_all,
    run_experiment,
    write_report,
)
from llmzero.lab.interpret import attention_maps, embedding_pca, logit_lens, nearest_neighbours
from llmzero.lab.ngram import NGramModel
from llmzero.lab.sampling import (
    next_token_distribution,
    plot_next_token_distribution,
    temperature_sweep,
)

# The experiment modules: importing them (above) registers their @experiment functions in
# EXPERIMENTS. Any import of the lab (``llmzero.lab.core`` too) runs this file first, so the
# registry is always full. The report's order is core.ORDER.
EXPERIMENT_MODULES = (
    alignment,
    architectures,
    behaviour,
    interpret,
    ngram,
    sampling,
    strategies,
    tool_use,
    training_runs,
)

__all__ = [
    "EXPERIMENTS",
    "Answer",
    "Experiment",
    "ExperimentResult",
    "LabContext",
    "LabModel",
    "NGramModel",
    "answer",
    "attention_maps",
    "distinct_n",
    "embedding_pca",
    "experiment",
    "experiments",
    "keyword_match",
    "logit_lens",
    "nearest_neighbours",
    "next_token_distribution",
    "plot_next_token_distribution",
    "repetition_rate",
    "run_all",
    "run_experiment",
    "temperature_sweep",
    "write_report",
]
