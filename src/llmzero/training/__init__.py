from llmzero.training.trainer import (
    TrainConfig,
    Trainer,
    TrainingDiverged,
    TrainResult,
    lm_loss,
    lr_at,
    pick_device,
    terminated,
)

__all__ = [
    "TrainConfig",
    "Trainer",
    "TrainingDiverged",
    "TrainResult",
    "lm_loss",
    "lr_at",
    "pick_device",
    "terminated",
]
