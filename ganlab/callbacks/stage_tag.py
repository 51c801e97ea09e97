"""Write the stage's name and key into every checkpoint, so `ckpt_path=` knows which stage
it resumes and whether it was written under the same settings."""

import pytorch_lightning as pl


class StageTag(pl.Callback):
    def __init__(self, stage: str, key: str | None = None, keyed: str | None = None):
        self.stage, self.key, self.keyed = stage, key, keyed

    def on_save_checkpoint(self, trainer, pl_module, checkpoint) -> None:
        checkpoint["ganlab"] = {"stage": self.stage, "key": self.key, "keyed": self.keyed}
