"""Writing a generated scenario folder (inputs.generators.synthetic) whole, or not at all."""

from __future__ import annotations

from pathlib import Path

from leveransplan.inputs.generators.synthetic import generate_scenario
from leveransplan.outputs.staging import FolderState, write_folder


def write_scenario(folder: Path | str, scale: int, seed: int, overwrite: bool = False) -> dict[str, str]:
    """Generate a scenario and write it as `folder`; return its files (name: text).

    The folder appears only when every file is written (outputs.staging). An existing folder is
    replaced only with `overwrite`, and only if nothing changed in it while the files were
    generated (inputs.generators.synthetic.unsafe_target says which folders may be replaced at all).
    """
    out = Path(folder)
    seen = FolderState.of(out)
    if seen.exists and not overwrite:
        raise FileExistsError(f"{out} exists")
    files = generate_scenario(scale, seed)
    write_folder(out, files, seen)
    return files
