"""Run every ``benchmarks/*.py`` module that defines ``main()``, one after the other."""

import importlib
import pkgutil
import sys

import benchmarks


def run() -> int:
    status = 0
    for info in sorted(pkgutil.iter_modules(benchmarks.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"benchmarks.{info.name}")
        main = getattr(module, "main", None)
        if not callable(main):
            continue
        print(f"== benchmarks.{info.name} ==", flush=True)
        result = main()
        if isinstance(result, int) and result:
            status = result
    return status


if __name__ == "__main__":
    sys.exit(run())
