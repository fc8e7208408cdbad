"""Steps that apps add to ``ecotone demo``, run in order after the catalogue is loaded.

An app registers a step from its ``AppConfig.ready()``::

    @demo_step(order=20, name="programmes")
    def load_demo_programmes(data_dir: Path, out: Callable[[str], None]) -> None: ...

A step must be idempotent (match records by a stable key): ``ecotone demo --force``
runs every step again over the same database.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DemoLoader = Callable[[Path, Callable[[str], None]], None]


@dataclass(frozen=True)
class DemoStep:
    order: int
    name: str
    load: DemoLoader


_STEPS: dict[str, DemoStep] = {}


def demo_step(order: int, name: str) -> Callable[[DemoLoader], DemoLoader]:
    def register(load: DemoLoader) -> DemoLoader:
        _STEPS[name] = DemoStep(order, name, load)
        return load

    return register


def demo_steps() -> list[DemoStep]:
    return sorted(_STEPS.values(), key=lambda step: (step.order, step.name))
