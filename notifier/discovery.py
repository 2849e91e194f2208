"""Find the parts of a package, so adding a module needs no registration edit elsewhere."""

import importlib
import pkgutil
from types import ModuleType


def submodules(package: str) -> list[ModuleType]:
    """Import and return every module of a package."""
    parent = importlib.import_module(package)
    return [
        importlib.import_module(f"{package}.{info.name}")
        for info in pkgutil.iter_modules(parent.__path__)
    ]
