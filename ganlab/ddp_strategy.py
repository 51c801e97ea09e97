"""trainer=ddp's strategy: Lightning's spawned DDP, whose worker processes leave the process
group before they exit. Left to interpreter shutdown, a gloo group's threads can still be
running when the worker's C++ objects are destroyed, which aborts the worker (SIGABRT,
"terminate called without an active exception") after a finished fit, and the parent
then reports the stage as failed."""

from __future__ import annotations

import torch
from pytorch_lightning.strategies import DDPStrategy


class SpawnedDDP(DDPStrategy):
    def __init__(self, find_unused_parameters: bool = True, **kwargs):
        super().__init__(start_method="spawn", find_unused_parameters=find_unused_parameters, **kwargs)

    def teardown(self) -> None:
        super().teardown()
        if torch.distributed.is_available() and torch.distributed.is_initialized():
            torch.distributed.barrier()  # no process leaves while another still talks to it
            torch.distributed.destroy_process_group()
