"""Write the stage name into every checkpoint so `ckpt_path=` knows where to resume."""

import pytorch_lightning as pl


class StageTag(pl.Callback):
    def __init__(self, stage: str):
        self.stage = stage

    def on_save_checkpoint(self, trainer, pl_module, checkpoint) -> None:
        checkpoint["ganlab"] = {"stage": self.stage}
