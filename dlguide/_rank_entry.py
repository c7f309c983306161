"""What each rank runs when :func:`dlguide.distributed.launch` starts it with torchrun.

``python -m dlguide._rank_entry RUN_DIR module:function`` sends this rank's
output to ``RUN_DIR/rank<R>.log``, calls the function with the arguments pickled
in ``RUN_DIR/arguments.pkl``, and leaves behind what the launcher reads:
``rank<R>.pid`` as soon as it starts, then ``rank<R>.status.json`` (exit code,
traceback text, finishing time) and ``rank<R>.value.pkl`` (the return value).

It imports nothing heavy itself, so that a rank's start is recorded before the
target's imports (torch takes seconds) begin.
"""

from __future__ import annotations

import importlib
import json
import os
import pickle
import sys
import time
import traceback
from pathlib import Path


def _write_status(run_dir: Path, rank: int, exit_code: int, trace: str | None) -> None:
    status = {"exit_code": exit_code, "traceback": trace, "finished_at": time.time()}
    partial = run_dir / f"rank{rank}.status.tmp"
    partial.write_text(json.dumps(status))
    os.replace(partial, run_dir / f"rank{rank}.status.json")  # never half-written


def main(argv: list[str]) -> int:
    """Run ``argv[2]`` (``module:function``) as this rank; return the exit code."""
    run_dir, target = Path(argv[1]), argv[2]
    rank = int(os.environ["RANK"])

    # The rank's stdout and stderr both go, unbuffered and in order, to one file.
    log = os.open(run_dir / f"rank{rank}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(log, 1)
    os.dup2(log, 2)
    (run_dir / f"rank{rank}.pid").write_text(str(os.getpid()))

    try:
        module_name, function_name = target.split(":")
        function = getattr(importlib.import_module(module_name), function_name)
        with open(run_dir / "arguments.pkl", "rb") as stream:
            args, kwargs = pickle.load(stream)
        value = function(*args, **kwargs)
        with open(run_dir / f"rank{rank}.value.pkl", "wb") as stream:
            pickle.dump(value, stream)
    except SystemExit as error:
        code = error.code if isinstance(error.code, int) else int(bool(error.code))
        trace = None if code == 0 else traceback.format_exc()
        _write_status(run_dir, rank, code, trace)
        return code
    except BaseException as error:  # the launcher needs the text of what ended it
        # Without this file's own frame: the traceback starts in the target.
        tb = error.__traceback__.tb_next or error.__traceback__
        trace = "".join(traceback.format_exception(type(error), error, tb))
        print(trace, file=sys.stderr, end="", flush=True)
        _write_status(run_dir, rank, 1, trace)
        return 1
    sys.stdout.flush()
    _write_status(run_dir, rank, 0, None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
