"""Fine-tuning: the same pre-trained GPT learns a new task (classification here; instructions
next)."""

from llmzero.data.labeled import ClassBatches, read_labeled_file
from llmzero.evaluation.classification import (
    classification_metrics,
    classify_texts,
    load_classifier,
    plot_confusion_matrix,
)
from llmzero.finetune.classify import (
    ClassificationData,
    classify,
    finetune_classifier,
    load_classification_data,
    set_trainable,
    stratified_split,
)
from llmzero.model.classifier import GPTClassifier

__all__ = [
    "ClassBatches",
    "ClassificationData",
    "GPTClassifier",
    "classification_metrics",
    "classify",
    "classify_texts",
    "finetune_classifier",
    "load_classification_data",
    "load_classifier",
    "plot_confusion_matrix",
    "read_labeled_file",
    "set_trainable",
    "stratified_split",
]
