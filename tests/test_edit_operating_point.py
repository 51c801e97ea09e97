"""The LW paper's Table 2 operating point: the smallest alpha at which the latent
classifier's target change reaches a goal (1.0 in the paper), and its table."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ganlab.data.tasks import EditTask
from ganlab.evaluation.alpha_search import first_alpha_reaching
from ganlab.evaluation.edit_report import write_edit_tables
from ganlab.evaluation.edit_scores import EditJudge
from ganlab.evaluation.latent_edit import LatentEditEvaluation

TASK = EditTask("a", source_column=0, source_value=0.0, target_column=0, target_value=1.0)


class ShiftEditor(nn.Module):
    """Moves coordinate 0 by alpha * step."""

    def __init__(self, step: float):
        super().__init__()
        self.tasks, self.name = ["a"], "shift"
        self.register_buffer("step", torch.tensor(step))

    def edit(self, codes, task, strength):
        return codes + strength * self.step * torch.nn.functional.one_hot(torch.tensor(0), codes.shape[1])


class WindowClassifier:
    """Attribute a present where 0 < coordinate 0 < upper: an edit pushed too far leaves it."""

    def __init__(self, upper: float = float("inf")):
        self.upper = upper

    def predict(self, codes):
        return ((codes[:, :1] > 0) & (codes[:, :1] < self.upper)).float()


def _alpha(step: float, goal: float, upper: float = float("inf")) -> float:
    evaluation = LatentEditEvaluation(operating_latent_change=goal, operating_steps=12, max_alpha=8.0)
    judge = EditJudge(None, None, "binary", 32, latent_classifier=WindowClassifier(upper))
    codes = torch.tensor([[-0.5, 0.0], [-1.0, 0.0], [-2.0, 0.0]])
    return evaluation._operating_alpha(judge, ShiftEditor(step), TASK, codes)


def test_the_operating_alpha_is_where_the_last_code_crosses():
    assert 2.0 < _alpha(1.0, 1.0) <= 2.0 + 0.25 / 2**12  # the farthest code sits at -2
    assert 1.0 < _alpha(1.0, 0.6) <= 1.0 + 0.25 / 2**12  # two of three: past -1
    assert 0.5 < _alpha(4.0, 1.0) <= 0.5 + 0.25 / 2**12  # a longer step needs less alpha


def test_an_edit_that_overshoots_its_target_is_taken_before_it_does():
    # all three codes are inside (0, 3) for alpha in (2, 3.5) only; doubling from 1 tried 1, 2, 4, 8
    assert 2.0 < _alpha(1.0, 1.0, upper=3.0) <= 2.0 + 0.25 / 2**12
    # inside (0, 1.2) at once for at most two of them (alpha in (1, 1.7)): where the change peaks
    assert _alpha(1.0, 1.0, upper=1.2) == 1.25


def test_a_search_with_no_steps_is_refused_when_the_evaluation_is_built():
    with pytest.raises(ValueError, match="operating_scan must be >= 1, got 0"):
        LatentEditEvaluation(operating_scan=0)


def test_the_search_scans_then_bisects_and_reports_the_peak_it_never_passes():
    score = lambda alpha: min(alpha / 3, 1.0)  # noqa: E731
    alpha, reached = first_alpha_reaching(score, 1.0, 8.0, scan=8, steps=10)
    assert 3.0 <= alpha <= 3.0 + 1.0 / 2**10 and reached == 1.0
    assert first_alpha_reaching(lambda alpha: 0.0, 1.0, 8.0, scan=8, steps=10) == (1.0, 0.0)
    bump = lambda alpha: 0.9 - abs(alpha - 5.0) / 10  # noqa: E731
    assert first_alpha_reaching(bump, 1.0, 8.0, scan=8, steps=10) == (5.0, 0.9)


def test_the_edit_table_puts_table_2_first(tmp_path):
    point = {"target_change": 0.5, "latent_change": 0.9}
    entry = lambda op: {"alphas": [1.0], "points": [point], "alpha_max": 1.0, "natural": point,  # noqa: E731
                        "operating": point | {"target_change": op, "latent_change": 1.0, "alpha": 1.7}}
    results = {"count_1->count_2": {"lt_w_o_reg": entry(0.2), "lw": entry(0.95), "lt": entry(0.4)}}
    labels = {"lw": "LW", "lt": "LT", "lt_w_o_reg": "LT w/o reg."}
    write_edit_tables(results, {"count_1->count_2": 0.9}, labels, "categorical", tmp_path)
    table = (tmp_path / "edit_table.md").read_text()
    csv_rows = (tmp_path / "edit_table.csv").read_text().splitlines()
    sections = [line for line in table.splitlines() if line.startswith("## ")]
    assert "Table 2" in sections[0] and "alpha = 1" in sections[1]
    rows = [line for line in table.splitlines() if line.startswith("| L")]
    assert rows[:3] == ["| LW | 0.950 | 1.000 | 1.7 |", "| LT | 0.400 | 1.000 | 1.7 |",
                        "| LT w/o reg. | 0.200 | 1.000 | 1.7 |"]
    assert rows[3:6] == ["| LT w/o reg. | 0.500 | 0.900 |", "| LW | 0.500 | 0.900 |", "| LT | 0.500 | 0.900 |"]
    # the other tables and the CSV keep the run's order
    assert "target_change_op/count_1->count_2" in csv_rows[0] and csv_rows[1].startswith("LT w/o reg.,")
