"""Alignment after instruction tuning: preference pairs, DPO, a reward model and a small RL loop.

Each rung is a plain function over a checkpoint folder; the CLI's `llmzero align` verbs, the lab's
`alignment` experiment and the journey's DPO step call them.
"""
