"""Several processes training one model, with PyTorch's own engine.

A distributed job is ``world_size`` processes, each with its ``rank``. The
launcher ``torchrun`` (``python -m torch.distributed.run``) starts them and
tells each who it is through environment variables (``RANK``, ``WORLD_SIZE``,
``LOCAL_RANK``, ``LOCAL_WORLD_SIZE``, ``MASTER_ADDR``, ``MASTER_PORT``); the
processes then meet in a process group and exchange tensors with collectives
such as ``all_reduce``.

This module holds the pieces the guide's pages run:

* :func:`choose_backend`: NCCL on one GPU per process where there are enough
  GPUs, else gloo on the CPU; a pure function, so its rule can be tested
  anywhere;
* :func:`process_group`: join the group that ``torchrun`` describes, and leave
  it again even when the code inside fails;
* :func:`launch`: start a function on N ranks with ``torchrun``, from a page or
  a test, with a timeout, every rank's output collected, and a failing rank's
  traceback and exit code raised in the caller;
* :func:`shard_indices` and :func:`distributed_count_correct`: evaluation that
  counts every test sample exactly once.

The per-rank code of the pages lives in :mod:`dlguide.ddp_mnist` and
:mod:`dlguide.fsdp_mnist`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import importlib.util
import json
import os
import pickle
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
from torch import nn

from dlguide.data import tensor_loader
from dlguide.evaluation import count_correct

__all__ = [
    "TORCHRUN_VARIABLES",
    "LaunchResult",
    "ProcessGroupInfo",
    "RankFailedError",
    "RankResult",
    "RankTimeoutError",
    "choose_backend",
    "distributed_count_correct",
    "free_port",
    "launch",
    "process_group",
    "rank_report",
    "shard_indices",
    "world_of_one",
]

TORCHRUN_VARIABLES = (
    "RANK",
    "WORLD_SIZE",
    "LOCAL_RANK",
    "LOCAL_WORLD_SIZE",
    "MASTER_ADDR",
    "MASTER_PORT",
)
"""The environment variables that ``torchrun`` sets in every process it starts."""


# Choosing a backend and joining the group ---------------------------------------


def choose_backend(
    local_rank: int,
    local_world_size: int,
    cuda_device_count: int,
    *,
    nccl_available: bool = True,
) -> tuple[str, torch.device]:
    """Choose the collective backend and the device of one process.

    NCCL moves tensors between GPUs and needs one GPU per process; it is chosen
    when every process on this machine can have its own (``cuda_device_count
    >= local_world_size``), and the process then works on ``cuda:LOCAL_RANK``.
    Otherwise every process takes gloo and the CPU: all processes of a machine
    decide alike, since one group cannot mix backends.

    Parameters
    ----------
    local_rank : int
        The process's number on its machine, ``0 .. local_world_size - 1``.
    local_world_size : int
        Processes on this machine.
    cuda_device_count : int
        GPUs this process can see (``torch.cuda.device_count()``), passed in
        so that the rule can be checked on any machine.
    nccl_available : bool, default True
        Whether this PyTorch build has NCCL (``dist.is_nccl_available()``).

    Returns
    -------
    backend : {"nccl", "gloo"}
    device : torch.device

    Examples
    --------
    >>> choose_backend(local_rank=1, local_world_size=2, cuda_device_count=0)
    ('gloo', device(type='cpu'))
    >>> choose_backend(local_rank=1, local_world_size=2, cuda_device_count=2)
    ('nccl', device(type='cuda', index=1))
    >>> choose_backend(local_rank=1, local_world_size=4, cuda_device_count=2)
    ('gloo', device(type='cpu'))
    """
    if local_world_size < 1 or not 0 <= local_rank < local_world_size:
        raise ValueError(
            f"local_rank must lie in 0..local_world_size - 1, got local_rank "
            f"{local_rank} with local_world_size {local_world_size}"
        )
    if cuda_device_count < 0:
        raise ValueError(f"cuda_device_count cannot be negative: {cuda_device_count}")
    if nccl_available and cuda_device_count >= local_world_size:
        return "nccl", torch.device("cuda", local_rank)
    return "gloo", torch.device("cpu")


@dataclasses.dataclass(frozen=True)
class ProcessGroupInfo:
    """Who this process is in the group, and where it computes.

    Examples
    --------
    >>> ProcessGroupInfo(0, 1, 0, "gloo", torch.device("cpu")).is_main
    True
    """

    rank: int
    world_size: int
    local_rank: int
    backend: str
    device: torch.device

    @property
    def is_main(self) -> bool:
        """Whether this is rank 0, the one that saves and prints summaries."""
        return self.rank == 0


def _environment_int(name: str) -> int:
    value = os.environ.get(name)
    if value is None:
        raise RuntimeError(
            f"the environment variable {name} is not set: start this code with "
            "torchrun (python -m torch.distributed.run --nproc-per-node=N ...) or "
            "dlguide.distributed.launch, which set RANK, WORLD_SIZE, LOCAL_RANK, "
            "MASTER_ADDR and MASTER_PORT for every process"
        )
    return int(value)


@contextlib.contextmanager
def process_group(
    backend: str | None = None,
    *,
    timeout: datetime.timedelta = datetime.timedelta(minutes=5),
) -> Iterator[ProcessGroupInfo]:
    """Join the process group that ``torchrun`` describes; leave it on exit.

    Reads ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK`` and ``LOCAL_WORLD_SIZE``
    from the environment (``MASTER_ADDR`` and ``MASTER_PORT`` are read by
    ``init_process_group`` itself), picks the backend and device with
    :func:`choose_backend` unless ``backend`` is given, and destroys the group
    when the block ends, also when it ends with an exception.

    Parameters
    ----------
    backend : {"gloo", "nccl"}, optional
        Force a backend; by default :func:`choose_backend` decides.
    timeout : datetime.timedelta, default 5 minutes
        How long a collective may wait for the other ranks before it fails.

    Yields
    ------
    ProcessGroupInfo

    Raises
    ------
    RuntimeError
        If a torchrun variable is missing: the code was not started by a
        launcher.

    Examples
    --------
    >>> with world_of_one(), process_group() as group:
    ...     total = torch.tensor([group.rank + 1.0])
    ...     dist.all_reduce(total)
    ...     group.world_size, group.backend, total.item(), dist.is_initialized()
    (1, 'gloo', 1.0, True)
    >>> dist.is_initialized()
    False
    """
    rank = _environment_int("RANK")
    world_size = _environment_int("WORLD_SIZE")
    local_rank = _environment_int("LOCAL_RANK")
    local_world_size = int(os.environ.get("LOCAL_WORLD_SIZE", world_size))
    _environment_int("MASTER_PORT")
    if not os.environ.get("MASTER_ADDR"):
        _environment_int("MASTER_ADDR")  # raises the error that says what to do
    if backend is None:
        chosen, device = choose_backend(
            local_rank,
            local_world_size,
            torch.cuda.device_count(),
            nccl_available=dist.is_nccl_available(),
        )
    elif backend in ("gloo", "nccl"):
        chosen = backend
        device = torch.device("cuda", local_rank) if backend == "nccl" else (
            torch.device("cpu")
        )
    else:
        raise ValueError(f"backend must be 'gloo', 'nccl' or None, not {backend!r}")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    dist.init_process_group(
        chosen, init_method="env://", rank=rank, world_size=world_size, timeout=timeout
    )
    try:
        yield ProcessGroupInfo(rank, world_size, local_rank, chosen, device)
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is free now, chosen by the operating system.

    Another program could take it before it is used; binding to port 0 and
    reading the port back is the usual way to keep that window short.

    Examples
    --------
    >>> 1024 <= free_port() <= 65535
    True
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def world_of_one() -> Iterator[None]:
    """Set the torchrun variables of a world of one process, then restore them.

    Lets per-rank code run in an ordinary process (a notebook, a doctest): the
    group it joins has this process alone, on a free port of this machine.

    Examples
    --------
    >>> with world_of_one():
    ...     os.environ["RANK"], os.environ["WORLD_SIZE"]
    ('0', '1')
    >>> "RANK" in os.environ
    False
    """
    values = dict(
        RANK="0",
        WORLD_SIZE="1",
        LOCAL_RANK="0",
        LOCAL_WORLD_SIZE="1",
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(free_port()),
    )
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def rank_report() -> dict[str, Any]:
    """Join the group, check it with one ``all_reduce``, and say who this rank is.

    Run on every rank (see :func:`launch`); prints one line with what torchrun
    told this process and returns the same as a dict. ``GROUP_RANK`` is the
    number torchrun gave this process's machine (its node rank).

    Examples
    --------
    >>> with world_of_one():
    ...     report = rank_report()  # doctest: +ELLIPSIS
    rank 0/1  local rank 0  node ...  rank sum 0 ...
    >>> report["rank_sum"]
    0
    """
    with process_group() as group:
        rank_sum = torch.tensor([group.rank], device=group.device)
        dist.all_reduce(rank_sum)  # 0 + 1 + ... + (world_size - 1) on every rank
        report = {
            "rank": group.rank,
            "world_size": group.world_size,
            "local_rank": group.local_rank,
            "node_rank": os.environ.get("GROUP_RANK", "-"),
            "host": socket.gethostname(),
            "master": f"{os.environ['MASTER_ADDR']}:{os.environ['MASTER_PORT']}",
            "backend": group.backend,
            "rank_sum": int(rank_sum.item()),
        }
    print(
        f"rank {report['rank']}/{report['world_size']}  local rank "
        f"{report['local_rank']}  node {report['node_rank']}  rank sum "
        f"{report['rank_sum']}  backend {report['backend']}  master "
        f"{report['master']}",
        flush=True,
    )
    return report


# Evaluation that counts every sample once ---------------------------------------


def shard_indices(num_samples: int, rank: int, world_size: int) -> torch.Tensor:
    """Return the indices of one rank's shard: ``rank, rank + world_size, ...``.

    The shards of all ranks cover ``0 .. num_samples - 1`` exactly once, with no
    padding: when ``num_samples`` does not divide by ``world_size`` the first
    ranks get one sample more. (``DistributedSampler`` instead pads the last
    shards with repeated samples so that all have the same length.)

    Examples
    --------
    >>> [shard_indices(7, rank, 3).tolist() for rank in range(3)]
    [[0, 3, 6], [1, 4], [2, 5]]
    """
    if world_size < 1 or not 0 <= rank < world_size:
        raise ValueError(
            f"rank must lie in 0..world_size - 1, got rank {rank} with world_size "
            f"{world_size}"
        )
    return torch.arange(rank, num_samples, world_size)


def distributed_count_correct(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    *,
    batch_size: int = 1000,
    device: torch.device | str | None = None,
    padded: bool = False,
) -> dict[str, int]:
    """Count correct predictions over a whole set, split across the ranks.

    Each rank counts its shard with :func:`dlguide.evaluation.count_correct`,
    then one ``all_reduce`` sums the correct counts and the sample counts of
    all ranks, so every rank returns the totals of the whole set. Call it on
    every rank of a joined group, with the same ``images`` and ``labels``.

    Parameters
    ----------
    model : nn.Module
        The same weights on every rank (a DDP model's ``.module`` is fine).
    images, labels : torch.Tensor
        The whole set; each rank takes its shard.
    batch_size : int, default 1000
    device : torch.device or str, optional
        Where to compute; NCCL needs the counts on the GPU.
    padded : bool, default False
        Shard as ``DistributedSampler`` does, padding with repeated samples:
        the mistake the guide shows. Leave it False for the right counts.

    Returns
    -------
    dict
        ``correct`` and ``total`` summed over all ranks, ``local_correct`` and
        ``local_total`` of this rank.

    Examples
    --------
    >>> model = nn.Sequential(nn.Flatten(), nn.Linear(4, 2))
    >>> images, labels = torch.randn(5, 1, 2, 2), torch.tensor([0, 1, 1, 0, 1])
    >>> with world_of_one(), process_group():
    ...     counts = distributed_count_correct(model, images, labels)
    >>> single_process = count_correct(model, [(images, labels)])
    >>> counts["total"], counts["correct"] == single_process[0]
    (5, True)
    """
    rank, world_size = dist.get_rank(), dist.get_world_size()
    if padded:
        from torch.utils.data import DistributedSampler

        sampler = DistributedSampler(
            range(len(labels)), num_replicas=world_size, rank=rank, shuffle=False
        )
        shard = torch.tensor(list(sampler))
    else:
        shard = shard_indices(len(labels), rank, world_size)
    loader = tensor_loader(images[shard], labels[shard], batch_size)
    correct, total = count_correct(model, loader, device=device)
    counts = torch.tensor([correct, total], dtype=torch.int64, device=device)
    dist.all_reduce(counts, op=dist.ReduceOp.SUM)
    return {
        "correct": int(counts[0]),
        "total": int(counts[1]),
        "local_correct": correct,
        "local_total": total,
    }


# Launching ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RankResult:
    """What one rank left behind: exit code, output, return value, traceback.

    ``exit_code`` is None for a rank that was stopped before it finished (at the
    timeout, or because another rank failed).

    Examples
    --------
    >>> RankResult(rank=0, exit_code=0, output="hello\\n", value=3).ok
    True
    """

    rank: int
    exit_code: int | None
    output: str
    value: Any = None
    traceback: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the rank's function returned normally."""
        return self.exit_code == 0


@dataclasses.dataclass(frozen=True)
class LaunchResult:
    """Everything a launch collected, one :class:`RankResult` per rank.

    Examples
    --------
    >>> result = LaunchResult(ranks=[RankResult(0, 0, "hi\\n", 1)], commands=[],
    ...                       launcher_output="", seconds=0.0)
    >>> result.values
    [1]
    >>> print(result.logs())
    [rank 0] hi
    """

    ranks: list[RankResult]
    commands: list[list[str]]
    launcher_output: str
    seconds: float

    @property
    def values(self) -> list[Any]:
        """The return values, in rank order."""
        return [rank.value for rank in self.ranks]

    def logs(self, ranks: Sequence[int] | None = None) -> str:
        """Every rank's output, each line prefixed with ``[rank R]``, rank by rank."""
        lines = []
        for result in self.ranks:
            if ranks is None or result.rank in ranks:
                lines += [f"[rank {result.rank}] {line}" for line in
                          result.output.splitlines()]
        return "\n".join(lines)


class RankFailedError(RuntimeError):
    """A rank ended with an error; the message holds its traceback and exit code.

    Attributes
    ----------
    rank : int
        The first rank that failed.
    exit_code : int or None
        Its exit code (negative: killed by that signal).
    traceback : str or None
        The traceback text of the exception that ended it, where there was one.
    result : LaunchResult
        Everything collected from all ranks, for their output.
    """

    def __init__(self, message: str, rank: int, exit_code: int | None,
                 traceback: str | None, result: LaunchResult) -> None:
        super().__init__(message)
        self.rank = rank
        self.exit_code = exit_code
        self.traceback = traceback
        self.result = result


class RankTimeoutError(RankFailedError):
    """A rank was still running at the launch's timeout and was stopped."""


def _check_target(target: str) -> None:
    module_name, colon, function_name = target.partition(":")
    if not colon or not module_name or not function_name.isidentifier():
        raise ValueError(
            f"target must name a function as 'package.module:function', not "
            f"{target!r}"
        )
    try:
        spec = importlib.util.find_spec(module_name)
    except ModuleNotFoundError:
        spec = None
    if spec is None:
        raise ValueError(
            f"module {module_name!r} of target {target!r} cannot be imported: the "
            "function must live in a module file on sys.path (not in a notebook "
            "or a script's __main__), since every rank is a new process that "
            "imports it"
        )


def _child_environment() -> dict[str, str]:
    """This process's environment, with its import path handed to the ranks."""
    environment = dict(os.environ)
    prefixes = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix)}
    paths = []
    for entry in sys.path:
        path = os.path.realpath(entry or os.getcwd())
        if os.path.isdir(path) and not any(
            path == prefix or path.startswith(prefix + os.sep) for prefix in prefixes
        ):
            paths.append(path)
    if environment.get("PYTHONPATH"):
        paths.append(environment["PYTHONPATH"])
    environment["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    environment["PYTHONUNBUFFERED"] = "1"  # lines reach the log as they are printed
    return environment


def _torchrun_commands(target: str, run_dir: Path, nnodes: int,
                       nproc_per_node: int) -> list[list[str]]:
    entry = ["-m", "dlguide._rank_entry", str(run_dir), target]
    torchrun = [sys.executable, "-m", "torch.distributed.run"]
    if nnodes == 1:
        # --standalone: a rendezvous on this machine, on a port the OS picks.
        return [[*torchrun, "--standalone", f"--nproc-per-node={nproc_per_node}",
                 *entry]]
    # One job id and one endpoint for all agents: that is how they find each other.
    endpoint = f"127.0.0.1:{free_port()}"
    job_id = f"dlguide-{os.getpid()}-{time.time_ns()}"
    command = [*torchrun, f"--nnodes={nnodes}", f"--nproc-per-node={nproc_per_node}",
               "--rdzv-backend=c10d", f"--rdzv-endpoint={endpoint}",
               f"--rdzv-id={job_id}", *entry]
    return [list(command) for _ in range(nnodes)]


# torchrun's failure summary; the rank that failed first follows "Root Cause".
_SUMMARY = re.compile(
    r"rank\s*:\s*(\d+) \(local_rank: \d+\)\s*\n\s*exitcode\s*:\s*(-?\d+)"
)


def _read_rank(run_dir: Path, rank: int) -> tuple[RankResult, float | None]:
    log = run_dir / f"rank{rank}.log"
    output = log.read_text(errors="replace") if log.exists() else ""
    status_file = run_dir / f"rank{rank}.status.json"
    if not status_file.exists():
        return RankResult(rank, None, output), None
    status = json.loads(status_file.read_text())
    value = None
    value_file = run_dir / f"rank{rank}.value.pkl"
    if value_file.exists():
        with open(value_file, "rb") as stream:
            value = pickle.load(stream)
    return (
        RankResult(rank, status["exit_code"], output, value, status["traceback"]),
        status["finished_at"],
    )


def _stop(processes: list[subprocess.Popen], run_dir: Path) -> None:
    """Stop the torchrun agents and every rank they started, SIGKILL if need be."""
    if all(process.poll() is not None for process in processes):
        return  # an agent that has exited has already ended its ranks
    rank_pids = [int(path.read_text()) for path in run_dir.glob("rank*.pid")]
    for death_signal, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        for pid in [process.pid for process in processes if process.poll() is None]:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, death_signal)  # the agent leads its own session
        for pid in rank_pids:  # ranks lead sessions of their own
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, death_signal)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(p.poll() is None for p in processes):
            time.sleep(0.05)
        if all(process.poll() is not None for process in processes):
            return


def launch(
    target: str,
    world_size: int = 2,
    *,
    args: Sequence[Any] = (),
    kwargs: dict[str, Any] | None = None,
    nnodes: int = 1,
    timeout: float = 120.0,
    startup_timeout: float = 120.0,
) -> LaunchResult:
    """Run a function on ``world_size`` ranks started by ``torchrun``.

    Every rank is a new Python process that imports ``target``'s module and
    calls ``function(*args, **kwargs)``; its stdout and stderr are collected,
    its return value pickled back. When a rank fails, ``torchrun`` stops the
    others and this raises :class:`RankFailedError` with the failing rank's
    traceback and exit code; a rank still running at the timeout is stopped and
    :class:`RankTimeoutError` raised. No rank is left behind in either case.

    Parameters
    ----------
    target : str
        ``"package.module:function"``; the module must be importable by a new
        process (the import path of this process is passed on), so a function
        defined in a notebook will not do.
    world_size : int, default 2
        Processes in all, ``nnodes * nproc_per_node``.
    args, kwargs
        Passed to the function on every rank; they must pickle.
    nnodes : int, default 1
        Number of torchrun agents, each standing for one machine; more than one
        plays a multi-machine rendezvous (c10d backend) on this machine.
    timeout : float, default 120
        Seconds the ranks may run once all have started.
    startup_timeout : float, default 120
        Seconds for torchrun to start every rank (importing torch on a busy
        machine takes several).

    Returns
    -------
    LaunchResult
        With ``commands``, the torchrun command lines that were run.

    Raises
    ------
    RankFailedError, RankTimeoutError
        See above; ``error.result`` holds every rank's output.
    ValueError
        If ``target`` cannot be imported, or the sizes do not fit.

    Examples
    --------
    >>> result = launch("dlguide.distributed:rank_report", world_size=2, timeout=60)
    >>> [report["rank_sum"] for report in result.values]
    [1, 1]
    >>> print(result.logs())  # doctest: +ELLIPSIS
    [rank 0] rank 0/2  local rank 0  node 0  rank sum 1  backend gloo  master ...
    [rank 1] rank 1/2  local rank 1  node 0  rank sum 1  backend gloo  master ...
    """
    if world_size < 1 or nnodes < 1 or world_size % nnodes:
        raise ValueError(
            f"world_size ({world_size}) must be a positive multiple of nnodes "
            f"({nnodes}): every node runs world_size // nnodes ranks"
        )
    _check_target(target)
    started = time.monotonic()
    run_dir = Path(tempfile.mkdtemp(prefix="dlguide-launch-"))
    launcher_log = run_dir / "torchrun.log"
    try:
        with open(run_dir / "arguments.pkl", "wb") as stream:
            pickle.dump((tuple(args), dict(kwargs or {})), stream)
        commands = _torchrun_commands(target, run_dir, nnodes, world_size // nnodes)
        environment = _child_environment()
        with open(launcher_log, "ab") as log:
            processes = [
                subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, env=environment,
                                 start_new_session=True)
                for command in commands
            ]
        timed_out = None  # "startup" or "run" once a deadline passes
        deadline = started + startup_timeout
        all_started = False
        try:
            while any(process.poll() is None for process in processes):
                if any(process.poll() not in (None, 0) for process in processes):
                    break  # a failed agent: stop the other nodes below
                now = time.monotonic()
                if not all_started and len(list(run_dir.glob("rank*.pid"))) == (
                    world_size
                ):
                    all_started, deadline = True, now + timeout
                if now > deadline:
                    timed_out = "run" if all_started else "startup"
                    break
                time.sleep(0.05)
        finally:
            _stop(processes, run_dir)

        read = [_read_rank(run_dir, rank) for rank in range(world_size)]
        result = LaunchResult(
            ranks=[rank_result for rank_result, _ in read],
            commands=commands,
            launcher_output=launcher_log.read_text(errors="replace"),
            seconds=time.monotonic() - started,
        )
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)

    failed = sorted(
        (finished, rank_result.rank)
        for rank_result, finished in read
        if finished is not None and rank_result.exit_code != 0
    )
    if failed:
        rank_result = result.ranks[failed[0][1]]
        raise RankFailedError(
            f"rank {rank_result.rank} of {world_size} failed with exit code "
            f"{rank_result.exit_code} ({target}):\n{rank_result.traceback}",
            rank_result.rank, rank_result.exit_code, rank_result.traceback, result,
        )
    if timed_out:
        running = [rank.rank for rank in result.ranks if rank.exit_code is None]
        what = (
            f"ran past the timeout of {timeout:g} s" if timed_out == "run"
            else f"had not started within {startup_timeout:g} s"
        )
        raise RankTimeoutError(
            f"rank(s) {running} of {world_size} {what} ({target}) and were "
            f"stopped; the last output of rank {running[0]}:\n"
            + "\n".join(result.ranks[running[0]].output.splitlines()[-20:]),
            running[0], None, None, result,
        )
    output = result.launcher_output
    summary = _SUMMARY.search(output, output.find("Root Cause") + 1)
    if summary or any(process.returncode != 0 for process in processes):
        # A rank died without a word (a signal, os._exit): torchrun's summary
        # names it; without one, the agent's own exit code is all there is.
        rank = int(summary.group(1)) if summary else 0
        code = int(summary.group(2)) if summary else processes[0].returncode
        raise RankFailedError(
            f"rank {rank} of {world_size} failed with exit code {code} ({target}); "
            f"torchrun said:\n{result.launcher_output[-3000:]}",
            rank, code, None, result,
        )
    return result
