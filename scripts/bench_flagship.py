"""Per-stage profile of the cold flagship (`+experiment=uda_inversion`, what `make run` runs):
every training stage a cold run goes through, the zoo models it needs first, then the recipe's
own stages, then the evaluation.

    python scripts/bench_flagship.py --threads 2
    python scripts/bench_flagship.py --steps 5 --stages stylegan2 encoder
    python scripts/bench_flagship.py --stages stylegan2 --override stylegan2:data.batch_size=16

What is timed: each stage's LightningModule is built from the project's own composition (the zoo
entry's recipe, or the flagship's) and run by a Lightning Trainer with that stage's trainer
settings, its configured loggers and callbacks, cut to --warmup + --steps + 2 batches of one
epoch (no validation). The weights are UNTRAINED (a few steps from the init): the speed of a step
does not depend on them. Where a stage needs a trained zoo model (the flagship's StyleGAN2 and
identity net, the evaluation's classifier and FID feature net), it gets a stand-in of the same
recipe and architecture: the zoo stage's module after the steps run here, saved under the
output folder and handed over through $GANLAB_ZOO_<NAME>, so nothing is trained in full and no
cache is read or written.

Per stage:
- step ms: median time of --steps full Lightning training steps after --warmup ones, from one
  step's end to the next (data fetch, forward, backward, optimizer(s), logging, callbacks);
  img/s: the batch size over it (the UDA stages also draw one target image per source image).
- GFLOP/step: FLOPs COUNTED by torch.utils.flop_counter.FlopCounterMode over one real training
  step as the module runs it (forward, backward, optimizer; matmuls and convolutions only; for
  StyleGAN2 a step without lazy R1); GFLOP/s over the median step, and its share of the fp32
  matmul peak (median of --peak-runs torch.mm of 2048 x 2048 at the same thread count), measured
  just before the stage's steps under the same load (on a shared machine the peak moves with the
  other users); a reference, not a bound: oneDNN convolutions can beat it.
- data %: the time between one step's end and the next one's start (the batch fetch, the loop);
  outside net %: over one more step, profiled (torch.profiler), 1 - the time inside the aten ops
  of the step (forward, backward, optimizer) / the step's time from the previous step's end, i.e.
  data, logging, callbacks and Python overhead (the profiler's own cost included: an upper bound).
- projected: the stage's full step count (its trainer's max_epochs x batches) x step ms. Work done
  every n steps (lazy R1 every 16 StyleGAN2 steps, logging every 10) hardly moves the median: mean ms
  holds it when the timed steps cover it, and the closing line sums both projections. The stage's
  start-up (composition, data rendering: setup s) is listed apart.
- the closing lines also give the training stages' counted work (GFLOP/step x steps/stage) and its
  time at each stage's measured peak: what the stages would take at 100 % of it.
The evaluation is timed once, end to end (wall time only), on the stand-ins.
The zoo's held-out scoring and the stages' validation passes are not timed.
Writes outputs/bench/<timestamp>/bench_flagship.csv (--out) and prints a markdown table."""

from __future__ import annotations

import argparse
import csv
import os
import shlex
import statistics
import sys
import time
from pathlib import Path

import pytorch_lightning as pl
import torch
from hydra.utils import instantiate
from omegaconf import open_dict
from torch.profiler import ProfilerActivity, profile
from torch.utils.flop_counter import FlopCounterMode

from ganlab import module_files
from ganlab.callbacks.factory import build_callbacks, build_loggers
from ganlab.callbacks.stage_tag import StageTag
from ganlab.compose_config import compose
from ganlab.runner.run import prepare
from ganlab.runner.stages import trainer_config
from ganlab.zoo_catalog import env_variable, recipe_overrides

ZOO_STAGES = {"stylegan2": "stylegan2-synthfaces32", "identity": "identity-synthfaces32",
              "classifier": "classifier-synthfaces32", "features": "features-synthfaces32"}
RECIPE_STAGES = ("base", "encoder")
STAGES = (*ZOO_STAGES, *RECIPE_STAGES, "evaluation")
# the zoo models the flagship's modules are built on, and those its evaluation loads
NEEDS = {"base": ("stylegan2", "identity"), "encoder": ("stylegan2", "identity"),
         "evaluation": ("stylegan2", "identity", "classifier", "features")}
COLUMNS = ("stage", "batch", "steps/stage", "step ms", "mean ms", "img/s", "data %", "outside net %", "GFLOP/step",
           "GFLOP/s", "peak GFLOP/s", "% of peak", "projected s", "setup s")


class StepClock(pl.Callback):
    """Times the steps of one fit: `warmup` untimed, `steps` timed, then one FLOP-counted and
    one profiled step."""

    def __init__(self, warmup: int, steps: int, peak_runs: int):
        self.warmup, self.steps, self.peak_runs = warmup, steps, peak_runs
        self.peak = None
        self.intervals: list[float] = []
        self.fetches: list[float] = []
        self.batch = self.flops = self.outside = None
        self._end = self._start = self._fetch = self._counter = self._profiler = None

    def on_train_epoch_start(self, trainer, pl_module):
        if self.steps:  # the peak under the load of the moment (the machine may be shared)
            self.peak = matmul_peak(self.peak_runs)
        self._end = time.perf_counter()

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
        if self.batch is None:
            self.batch = len(batch[0])
        if not self.steps:  # a stand-in's steps: nothing to time, count or profile
            return
        if self.warmup <= batch_idx < self.warmup + self.steps:
            self.fetches.append(time.perf_counter() - self._end)
        elif batch_idx == self.warmup + self.steps:
            self._counter = FlopCounterMode(display=False)
            self._counter.__enter__()
        elif batch_idx == self.warmup + self.steps + 1:
            self._fetch = time.perf_counter() - self._end
            self._profiler = profile(activities=[ProfilerActivity.CPU])
            self._profiler.__enter__()
            self._start = time.perf_counter()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        if self.warmup <= batch_idx < self.warmup + self.steps:
            self.intervals.append(time.perf_counter() - self._end)
        elif self._counter is not None:
            self._counter.__exit__(None, None, None)
            self.flops, self._counter = self._counter.get_total_flops(), None
        elif self._profiler is not None:
            wall = self._fetch + time.perf_counter() - self._start
            self._profiler.__exit__(None, None, None)
            events = self._profiler.key_averages()
            ops = sum(e.self_cpu_time_total for e in events if e.key.startswith("aten::")) / 1e6
            self.outside, self._profiler = 1 - ops / wall, None
        self._end = time.perf_counter()


def matmul_peak(runs: int, n: int = 2048) -> float:
    """GFLOP/s of an fp32 n x n matmul at the current thread count (median of `runs`)."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.mm(a, b)
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        torch.mm(a, b)
        seconds.append(time.perf_counter() - start)
    return 2 * n**3 / statistics.median(seconds) / 1e9


def full_steps(train_cfg, datamodule) -> int:
    """Training steps (batches) of the stage as configured: max_epochs x batches per epoch."""
    if train_cfg.get("max_steps") not in (None, -1):
        raise ValueError(f"trainer.max_steps={train_cfg.max_steps}: the projection counts epochs only")
    if train_cfg.get("max_epochs") is None:
        raise ValueError("the stage's trainer sets no max_epochs: nothing to project")
    batches, limit = len(datamodule.train_dataloader()), train_cfg.get("limit_train_batches")
    if isinstance(limit, float):
        batches = int(batches * limit)
    elif limit is not None:
        batches = min(batches, int(limit))
    return int(train_cfg.max_epochs) * batches


def run_steps(cfg, datamodule, name: str, module, warmup: int, steps: int, peak_runs: int) -> StepClock:
    """Fit stage `name` of `cfg` for warmup + steps + 2 batches as the runner would (same
    trainer settings, loggers and callbacks), the clock among the callbacks."""
    stage = cfg.method.stages[name]
    train_cfg = trainer_config(cfg, stage)
    with open_dict(train_cfg):
        train_cfg.update(max_epochs=1, max_steps=-1, limit_train_batches=warmup + steps + 2, limit_val_batches=0,
                         num_sanity_val_steps=0)
    cfg.stage.name, cfg.stage.monitor, cfg.stage.mode = name, None, "min"  # no validation: nothing to monitor
    clock = StepClock(warmup, steps, peak_runs)
    trainer = instantiate(train_cfg, callbacks=[*build_callbacks(cfg, StageTag(name)), clock],
                          logger=build_loggers(cfg) or False)
    trainer.fit(module, datamodule=datamodule)
    return clock


def recipe(stage: str, out: Path, extra: list[str]):
    """The composed, prepared recipe a stage belongs to (plus `extra` overrides), and the
    seconds prepare took."""
    if stage in ZOO_STAGES:
        folder = ZOO_STAGES[stage]
        overrides = recipe_overrides(folder)
    else:
        folder = "uda_inversion"
        overrides = [f"+experiment={folder}"]
    start = time.perf_counter()
    cfg, datamodule = prepare(compose([*overrides, *extra, f"paths.output_dir={out / folder}",
                                       f"paths.cache_dir={out / 'cache'}", "cache_stages=false"]))
    return cfg, datamodule, time.perf_counter() - start, folder


def build(cfg, name: str, inputs: dict):
    stage = cfg.method.stages[name]
    pl.seed_everything(cfg.seed + list(cfg.method.stages).index(name), workers=True, verbose=False)
    sources = {arg: inputs[src] for arg, src in (stage.get("inputs") or {}).items()}
    return instantiate(stage.module, **sources)


def row(stage: str, clock: StepClock, steps_full: int, setup: float) -> dict:
    step, peak = statistics.median(clock.intervals), clock.peak
    flops = float(clock.flops)
    return {"stage": stage, "batch": clock.batch, "steps/stage": steps_full, "step ms": step * 1e3,
            "mean ms": statistics.mean(clock.intervals) * 1e3,
            "img/s": clock.batch / step, "data %": 100 * statistics.median(clock.fetches) / step,
            "outside net %": 100 * clock.outside, "GFLOP/step": flops / 1e9,
            "GFLOP/s": flops / step / 1e9, "peak GFLOP/s": peak, "% of peak": 100 * flops / step / 1e9 / peak,
            "projected s": steps_full * step, "setup s": setup}


def bench(args, out: Path) -> list[dict]:
    wanted = set(args.stages)
    needed = wanted | {z for s in wanted for z in NEEDS.get(s, ())}
    rows, modules = [], {}
    for stage in (s for s in STAGES if s in needed and s not in RECIPE_STAGES + ("evaluation",)):
        cfg, datamodule, setup, zoo_name = recipe(stage, out, args.extra.get(stage, []))
        module = build(cfg, stage, {})
        timed = stage in wanted
        clock = run_steps(cfg, datamodule, stage, module, args.warmup if timed else 0, args.steps if timed else 0,
                          args.peak_runs)
        if timed:
            rows.append(row(stage, clock, full_steps(trainer_config(cfg, cfg.method.stages[stage]), datamodule),
                            setup))
            print(_markdown([rows[-1]], header=False), flush=True)
        standin = out / "standins" / f"{zoo_name}.pt"  # the module after these steps, untrained
        module_files.save(standin, module, module_files.recipe(cfg.method.stages[stage].module))
        os.environ[env_variable(zoo_name)] = str(standin)
    if not needed & {*RECIPE_STAGES, "evaluation"}:
        return rows
    cfg, datamodule, setup, _ = recipe("base", out, [*args.extra.get("base", []), *args.extra.get("encoder", [])])
    for stage in RECIPE_STAGES:
        modules[stage] = build(cfg, stage, modules)
        if stage in wanted:
            clock = run_steps(cfg, datamodule, stage, modules[stage], args.warmup, args.steps, args.peak_runs)
            rows.append(row(stage, clock, full_steps(trainer_config(cfg, cfg.method.stages[stage]), datamodule),
                            setup))
            print(_markdown([rows[-1]], header=False), flush=True)
            setup = 0.0  # the recipe is prepared once for both stages
    if "evaluation" in wanted:
        start = time.perf_counter()
        (out / "evaluation").mkdir(parents=True, exist_ok=True)
        instantiate(cfg.method.evaluate)(stages=modules, datamodule=datamodule, out_dir=out / "evaluation")
        seconds = time.perf_counter() - start
        rows.append({c: "" for c in COLUMNS} | {"stage": "evaluation", "projected s": seconds, "setup s": setup})
    return rows


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return str(value)


def _markdown(rows: list[dict], header: bool = True) -> str:
    lines = [f"| {' | '.join(COLUMNS)} |", "|" + "---|" * len(COLUMNS)] if header else []
    return "\n".join(lines + [f"| {' | '.join(_cell(r[c]) for c in COLUMNS)} |" for r in rows])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="torch threads (default: all cores)")
    parser.add_argument("--steps", type=int, default=16,
                        help="timed training steps per stage (16: one lazy-R1 step of StyleGAN2 among them)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps before them")
    parser.add_argument("--peak-runs", type=int, default=7)
    parser.add_argument("--stages", nargs="+", default=list(STAGES), choices=STAGES)
    parser.add_argument("--out", type=Path, help="output folder (default: outputs/bench/<timestamp>)")
    parser.add_argument("--override", action="append", default=[], metavar="STAGE:KEY=VALUE",
                        help="a config override for one stage's recipe, e.g. stylegan2:data.batch_size=16 "
                             "(repeatable; base and encoder share the flagship's recipe)")
    args = parser.parse_args(argv)
    if args.steps < 1 or args.warmup < 0 or args.threads < 1:
        parser.error("--steps and --threads must be >= 1, --warmup >= 0")
    args.extra, trained = {}, [*ZOO_STAGES, *RECIPE_STAGES]
    for item in args.override:
        stage, _, override = item.partition(":")
        if stage not in trained or "=" not in override:
            parser.error(f"--override {item!r}: expected STAGE:KEY=VALUE with STAGE one of {trained}")
        args.extra.setdefault(stage, []).append(override)
    torch.set_num_threads(args.threads)
    out = args.out or Path("outputs") / "bench" / time.strftime("%Y%m%d_%H%M%S")
    print("$ python scripts/bench_flagship.py " + " ".join(shlex.quote(a) for a in (sys.argv[1:] if argv is None
                                                                                     else argv)))
    peak = matmul_peak(args.peak_runs)
    print(f"threads={torch.get_num_threads()} torch={torch.__version__} fp32 matmul peak {peak:.1f} GFLOP/s; "
          f"untrained weights, {args.steps} timed steps after {args.warmup}; load average (1 min) "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores\n", flush=True)
    rows = bench(args, out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "bench_flagship.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    total = sum(float(r["projected s"]) + float(r["setup s"]) for r in rows)
    at_mean = total + sum(float(r["steps/stage"]) * (r["mean ms"] - r["step ms"]) / 1e3 for r in rows if r["batch"])
    print("\n" + _markdown(rows))
    print(f"\nsum of the stages' projected and setup times: {total:.0f} s ({total / 60:.1f} min); with the mean "
          f"step instead of the median: {at_mean:.0f} s ({at_mean / 60:.1f} min); "
          f"load average (1 min) now {os.getloadavg()[0]:.2f}; csv: {out}/bench_flagship.csv")
    trained = [r for r in rows if r["batch"]]
    work = sum(r["GFLOP/step"] * r["steps/stage"] for r in trained) / 1e3
    at_peak = sum(r["GFLOP/step"] * r["steps/stage"] / r["peak GFLOP/s"] for r in trained)
    print(f"the training stages' counted work: {work:.1f} TFLOP, {at_peak:.0f} s ({at_peak / 60:.1f} min) at each "
          f"stage's measured matmul peak")
    return 0


if __name__ == "__main__":
    sys.exit(main())
