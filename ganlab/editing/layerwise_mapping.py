"""The Latent Transformer's edit (Yao et al. 2021, released code): per task, a linear map
f per W+ layer, w' = w + alpha * f(w) on W+ [N, L, D]. Its layers use an equalised learning
rate as in StyleGAN: weights drawn Xavier-uniform, scaled at run time by lrmul / sqrt(D);
biases start at 0."""

from __future__ import annotations

import torch
from torch import nn

from ganlab.editing.editor import alpha_column


class LayerwiseMappings(nn.Module):
    def __init__(self, num_tasks: int, n_latent: int, dim: int, lrmul: float = 1.0):
        super().__init__()
        self.weight = nn.ParameterList()
        for _ in range(num_tasks):
            w = torch.empty(n_latent, dim, dim)
            for layer in w:
                nn.init.xavier_uniform_(layer)
            self.weight.append(nn.Parameter(w))
        self.bias = nn.ParameterList([nn.Parameter(torch.zeros(n_latent, dim)) for _ in range(num_tasks)])
        self.scale = lrmul / dim**0.5

    def f(self, wplus: torch.Tensor, task: int) -> torch.Tensor:
        """f(w) [N, L, D]: layer l of the code through layer l's linear map."""
        return torch.einsum("nli,loi->nlo", wplus, self.weight[task] * self.scale) + self.bias[task]

    def forward(self, wplus: torch.Tensor, task: int, alpha: torch.Tensor | float = 1.0) -> torch.Tensor:
        return wplus + alpha_column(alpha, wplus) * self.f(wplus, task)
