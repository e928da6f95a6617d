"""Fine-tuning: the same pre-trained GPT learns a new task (classification here; instructions next)."""

from llmzero.finetune.classify import (
    ClassBatches,
    ClassificationData,
    GPTClassifier,
    classification_metrics,
    classify,
    classify_texts,
    finetune_classifier,
    load_classification_data,
    load_classifier,
    plot_confusion_matrix,
    read_labeled_file,
    set_trainable,
    stratified_split,
)

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
