"""dlguide.distributed with real processes: torchrun, gloo, MNIST; no mocks."""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import pytest
import torch
import torch.distributed as dist

from dlguide.data import mnist_tensors, tensor_loader
from dlguide.distributed import (
    RankFailedError,
    RankTimeoutError,
    choose_backend,
    launch,
    process_group,
    shard_indices,
    world_of_one,
)
from dlguide.evaluation import count_correct
from dlguide.models import TutorialCNN

# Rank functions for the failure tests. They import no torch, so that the
# ranks start fast; the launcher finds them through this process's sys.path.
FAILING_RANKS = textwrap.dedent(
    """
    import os
    import time
    from pathlib import Path

    def crash():
        rank = int(os.environ["RANK"])
        print(f"rank {rank} started", flush=True)
        if rank == 1:
            raise ValueError("rank 1 refuses to train")
        time.sleep(600)

    def vanish():
        if os.environ["RANK"] == "1":
            os._exit(7)
        time.sleep(600)

    def hang(pid_dir):
        rank = int(os.environ["RANK"])
        Path(pid_dir, f"rank{rank}").write_text(str(os.getpid()))
        if rank == 1:
            time.sleep(600)
        return rank
    """
)


@pytest.fixture
def failing_ranks(tmp_path, monkeypatch):
    (tmp_path / "failing_ranks.py").write_text(FAILING_RANKS)
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def _gone(pid: int) -> bool:
    """Whether a process no longer runs (absent, or a zombie awaiting its parent)."""
    status = Path(f"/proc/{pid}/status")
    try:
        return "State:\tZ" in status.read_text()
    except FileNotFoundError:
        return True


# choose_backend ------------------------------------------------------------------


def test_choose_backend_without_gpus_takes_gloo_on_the_cpu():
    for local_rank, local_world_size in [(0, 1), (0, 2), (1, 2)]:
        assert choose_backend(local_rank, local_world_size, 0) == (
            "gloo", torch.device("cpu")
        )


def test_choose_backend_gives_each_process_its_own_gpu():
    assert choose_backend(0, 2, 2) == ("nccl", torch.device("cuda", 0))
    assert choose_backend(1, 2, 2) == ("nccl", torch.device("cuda", 1))
    # Too few GPUs for one each, or a build without NCCL: all ranks take gloo.
    assert choose_backend(1, 3, 2)[0] == "gloo"
    assert choose_backend(1, 2, 2, nccl_available=False) == (
        "gloo", torch.device("cpu")
    )


def test_choose_backend_rejects_a_rank_outside_the_machine():
    with pytest.raises(ValueError, match="local_rank"):
        choose_backend(2, 2, 2)


# process_group -------------------------------------------------------------------


def test_process_group_without_a_launcher_says_to_use_torchrun(monkeypatch):
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match="torchrun"):
        with process_group():
            pass


def test_process_group_is_destroyed_when_the_block_fails():
    with world_of_one(), pytest.raises(ZeroDivisionError):
        with process_group():
            assert dist.is_initialized()
            _ = 1 / 0
    assert not dist.is_initialized()


# launch: failures ----------------------------------------------------------------


def test_a_crashing_rank_raises_its_traceback_and_exit_code(failing_ranks):
    with pytest.raises(RankFailedError) as caught:
        launch("failing_ranks:crash", world_size=2, timeout=60)
    error = caught.value
    assert error.rank == 1
    assert error.exit_code == 1
    assert "ValueError: rank 1 refuses to train" in str(error)
    assert "ValueError: rank 1 refuses to train" in error.traceback
    ranks = error.result.ranks
    assert "rank 0 started" in ranks[0].output
    assert "rank 1 started" in ranks[1].output
    assert ranks[0].exit_code is None  # stopped in its sleep, not left running


def test_a_rank_that_dies_silently_is_named_with_its_exit_code(failing_ranks):
    with pytest.raises(RankFailedError) as caught:
        launch("failing_ranks:vanish", world_size=2, timeout=60)
    assert (caught.value.rank, caught.value.exit_code) == (1, 7)


def test_a_hung_rank_is_stopped_at_the_timeout(failing_ranks):
    with pytest.raises(RankTimeoutError) as caught:
        launch("failing_ranks:hang", world_size=2, args=(str(failing_ranks),),
               timeout=2)
    error = caught.value
    assert error.rank == 1
    assert "timeout of 2 s" in str(error)
    assert error.result.ranks[0].ok and error.result.ranks[0].value == 0
    assert error.result.ranks[1].exit_code is None
    hung_pid = int((failing_ranks / "rank1").read_text())
    deadline = time.monotonic() + 10  # a bound for the kernel, not a speed test
    while not _gone(hung_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _gone(hung_pid), "the hung rank was left running"


def test_launch_rejects_a_function_that_new_processes_cannot_import():
    with pytest.raises(ValueError, match="cannot be imported"):
        launch("no_such_module_here:main", world_size=2)
    with pytest.raises(ValueError, match="module:function"):
        launch("dlguide.distributed", world_size=2)
    with pytest.raises(ValueError, match="multiple of nnodes"):
        launch("dlguide.distributed:rank_report", world_size=3, nnodes=2)


# Distributed evaluation ----------------------------------------------------------


@pytest.mark.parametrize(("num_samples", "world_size"), [(1001, 2), (1001, 3),
                                                         (10_000, 3)])
def test_shards_cover_every_sample_exactly_once(num_samples, world_size):
    shards = [shard_indices(num_samples, rank, world_size)
              for rank in range(world_size)]
    assert torch.equal(torch.cat(shards).sort().values, torch.arange(num_samples))


def test_distributed_accuracy_equals_single_process_accuracy(tmp_path):
    torch.manual_seed(3)
    model = TutorialCNN()
    checkpoint = tmp_path / "cnn.pt"
    torch.save(model.state_dict(), checkpoint)
    num_test = 1001  # divides by neither 2 nor 3
    images, labels = mnist_tensors("test")
    expected_correct, _ = count_correct(
        model, tensor_loader(images[:num_test], labels[:num_test], 500)
    )

    result = launch("dlguide.ddp_mnist:evaluate", world_size=3,
                    args=(str(checkpoint),), kwargs={"num_test": num_test},
                    timeout=120)
    for counts in result.values:  # every rank holds the totals
        assert counts["exact"]["total"] == num_test
        assert counts["exact"]["correct"] == expected_correct
        # The trap: DistributedSampler pads 1001 to 3 x 334 with repeats.
        assert counts["padded"]["total"] == 1002
    assert sum(counts["exact"]["local_total"] for counts in result.values) == num_test
    assert 0 < expected_correct < num_test  # counts that could have differed
    assert "exact shard" in result.logs(ranks=[2])
    assert os.path.exists(checkpoint)


# launch: two torchrun agents, as two machines ------------------------------------


def test_two_agents_meet_in_one_group_with_node_ranks_0_and_1():
    result = launch("dlguide.distributed:rank_report", world_size=2, nnodes=2,
                    timeout=120)
    assert len(result.commands) == 2
    assert result.commands[0] == result.commands[1]  # the same command on each node
    assert "--rdzv-backend=c10d" in result.commands[0]
    reports = result.values
    assert [report["rank"] for report in reports] == [0, 1]
    assert sorted(report["node_rank"] for report in reports) == ["0", "1"]
    assert all(report["rank_sum"] == 1 for report in reports)
