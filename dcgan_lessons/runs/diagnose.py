"""Read a run folder's history and name what went wrong, and when: `diagnose(run_dir)` and
`python -m dcgan_lessons diagnose RUN_DIR` (lesson 07).

What it looks for, in this order (the first epoch each sign appears is the one reported):
- **divergence**: a loss or D output is NaN or infinite, or a loss beyond 1,000 in size (the weights blew
  up: a BCE loss of 1,000 means logits of 1,000); a run that goes NaN stops there (training.TrainingDiverged)
  and its history keeps that epoch's record;
- **D overpowering G** (BCE runs): D(x) > 0.9 and D(G(z)) < 0.1, with g_loss above -ln 0.1 = 2.3, for 2
  epochs in a row: D rejects every fake and G's gradient fades;
- **mode collapse** (only when lesson 06's measures were logged): classes covered falls to half its best
  or less, with the Inception-Score analogue below 70% of its best, for 2 epochs in a row (a tiny run's
  measures of a few hundred images dip for one epoch and recover);
- **oscillation**: in some 7 epochs in a row, g_loss changes direction at least 4 times by more than a
  quarter of its mean over them: the two players chase each other instead of settling (the first such
  stretch is reported, from the end of its first swing, also when the run settles, or D wins, later).
The other signs are looked for only before a divergence. It then names the epoch to roll back to: the
latest kept checkpoint before the problem began (`train --from-epoch K`, run_folder.roll_back). The
thresholds are rules of thumb, stated here so that a learner can read and change them; a clean report does
not prove a run healthy.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from .run_folder import kept_epochs


@dataclass(frozen=True)
class Finding:
    """One problem: its kind, the epoch it began, a sentence, and the kept epoch to roll back to."""

    kind: str  # "divergence", "d_overpowers_g", "mode_collapse", "oscillation"
    epoch: int
    message: str
    roll_back_to: int | None

    def __str__(self) -> str:
        # The same settings retrace the same steps, so a roll-back trains on with other optimizer settings
        # (run_folder.ROLL_BACK_MAY_CHANGE); anything else needs a new folder.
        back = (
            f" Roll back with `train --from-epoch {self.roll_back_to}` (the last kept checkpoint before it) "
            "and other optimizer settings (e.g. a lower --learning-rate): the same settings repeat the run."
            if self.roll_back_to is not None
            else " No kept checkpoint precedes it: start a new run folder with other settings."
        )
        return f"epoch {self.epoch}: {self.kind.replace('_', ' ')}: {self.message}.{back}"


EXPLODED = 1e3
G_REJECTED = -math.log(0.1)  # g_loss when D gives the fakes 0.1


def _finite(record) -> bool:
    values = [record.get(k) for k in ("d_loss", "g_loss", "d_real", "d_fake") if k in record]
    return all(isinstance(v, (int, float)) and math.isfinite(v) for v in values)


def _diverged(record) -> bool:
    return not _finite(record) or max(abs(record.get(k, 0.0)) for k in ("d_loss", "g_loss")) > EXPLODED


def find_problems(history: list[dict], loss: str = "bce") -> list[Finding]:
    """The problems in a run's history (a list of per-epoch records), earliest first; [] when none.

    `loss`: the run's loss; D(x) and D(G(z)) are probabilities only for "bce".
    """
    found: list[tuple[str, int, str]] = []
    for record in history:
        if _diverged(record):
            if _finite(record):
                name = max(("d_loss", "g_loss"), key=lambda k: abs(record[k]))
                what = f"{record[name]:.3g} ({name})"
                nan = next((r["epoch"] for r in history if not _finite(r)), None)
                what += f"; NaN or infinite at epoch {nan}" if nan is not None else ""
            else:
                what = "NaN or infinite"
            found.append(("divergence", record["epoch"], f"a loss became {what}"))
            # Once the weights blew up, what follows (D "winning" on huge logits) is its echo, not news.
            history = [r for r in history if r["epoch"] < record["epoch"]]
            break
    if loss == "bce":
        streak = 0
        for record in history:
            if not _finite(record):
                break
            winning = record["d_real"] > 0.9 and record["d_fake"] < 0.1 and record["g_loss"] > G_REJECTED
            streak = streak + 1 if winning else 0
            if streak == 2:
                found.append(
                    (
                        "d_overpowers_g",
                        record["epoch"] - 1,
                        f"D(x) {record['d_real']:.2f}, D(G(z)) {record['d_fake']:.2f}, g_loss "
                        f"{record['g_loss']:.3g}: D rejects every fake, G's gradient fades",
                    )
                )
                break
    if history and "classes_covered" in history[0]:
        best_classes = best_is = 0.0
        first = None  # the first record of the current collapsed stretch
        for record in history:
            best_classes = max(best_classes, record["classes_covered"])
            best_is = max(best_is, record.get("inception_score", 0.0))
            collapsed = (
                record["classes_covered"] <= best_classes / 2
                and record.get("inception_score", 0.0) < 0.7 * best_is
            )
            first = (first or record) if collapsed else None
            if first is not None and first is not record:  # 2 epochs in a row: a one-epoch dip is noise
                found.append(
                    (
                        "mode_collapse",
                        first["epoch"],
                        f"{first['classes_covered']:.0f} classes covered (best {best_classes:.0f}), IS "
                        f"{first['inception_score']:.2f} (best {best_is:.2f})",
                    )
                )
                break
    finite = [r for r in history if _finite(r)]
    for start in range(len(finite) - 6):  # every 7 epochs in a row: the first swinging stretch
        g = [r["g_loss"] for r in finite[start : start + 7]]
        steps = [b - a for a, b in zip(g[:-1], g[1:], strict=True)]
        scale = 0.25 * abs(sum(g) / len(g)) or 1e-12
        turning = [
            i
            for i, (a, b) in enumerate(zip(steps[:-1], steps[1:], strict=True))
            if a * b < 0 and min(abs(a), abs(b)) > scale
        ]
        if len(turning) >= 4:
            onset = finite[start + turning[0] + 1]["epoch"]  # the end of the first swing
            found.append(("oscillation", onset, f"g_loss turned {len(turning)} times in 6 epochs"))
            break
    return [Finding(kind, epoch, message, None) for kind, epoch, message in sorted(found, key=lambda f: f[1])]


def diagnose(run_dir) -> list[Finding]:
    """`find_problems` on a run folder's history.json, each with the kept epoch to roll back to."""
    run_dir = Path(run_dir)
    path = run_dir / "history.json"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: expected a run folder written by `train`.")
    history = json.loads(path.read_text())
    if not isinstance(history, list):
        raise ValueError(
            f"{path}: expected a list of per-epoch records, got a JSON {type(history).__name__}."
        )
    config_path = run_dir / "config.json"
    loss = json.loads(config_path.read_text()).get("loss", "bce") if config_path.exists() else "bce"
    kept = kept_epochs(run_dir)
    findings = []
    for finding in find_problems(history, loss):
        before = [e for e in kept if e < finding.epoch]
        back = before[-1] if before else None
        findings.append(Finding(finding.kind, finding.epoch, finding.message, back))
    return findings


def report(run_dir) -> str:
    findings = diagnose(run_dir)
    if not findings:
        return f"{run_dir}: no sign of divergence, D overpowering G, mode collapse or oscillation."
    return "\n".join(f"{run_dir}: {finding}" for finding in findings)
