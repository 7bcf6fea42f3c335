"""One process or torchrun (DistributedDataParallel): rank, world size, collectives that also
work with a single process."""

import datetime
import os

import torch
import torch.distributed as dist


class Context:
    def __init__(self):
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        self.local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        self.local_world = int(os.environ.get("LOCAL_WORLD_SIZE", str(self.world)))
        self.nodes = max(1, self.world // max(1, self.local_world))
        self.backend = None
        self.device = torch.device("cpu")

    @property
    def distributed(self):
        return self.world > 1

    @property
    def main(self):
        return self.rank == 0

    def start(self, device):
        self.device = device
        if self.distributed:
            self.backend = "nccl" if device.type == "cuda" else "gloo"
            if device.type == "cuda":
                torch.cuda.set_device(device)
            dist.init_process_group(self.backend, timeout=datetime.timedelta(minutes=30))
        return self

    def stop(self):
        if self.distributed and dist.is_initialized():
            dist.destroy_process_group()

    def barrier(self):
        if self.distributed:
            dist.barrier()

    def sum(self, values):
        """Elementwise sum over ranks of a list of floats (float64)."""
        t = torch.tensor(values, dtype=torch.float64, device=self.device if self.backend == "nccl" else "cpu")
        if self.distributed:
            dist.all_reduce(t)
        return t.tolist()

    def gather_objects(self, value):
        if not self.distributed:
            return [value]
        out = [None] * self.world
        dist.all_gather_object(out, value)
        return out

    def broadcast_object(self, value):
        if not self.distributed:
            return value
        box = [value]
        dist.broadcast_object_list(box, src=0)
        return box[0]

    def all_gather_tensor(self, tensor):
        """[tensors of every rank], each shaped like `tensor` (same shape on every rank)."""
        if not self.distributed:
            return [tensor]
        parts = [torch.empty_like(tensor) for _ in range(self.world)]
        dist.all_gather(parts, tensor.contiguous())
        return parts

    def describe(self):
        if not self.distributed:
            return "1 process"
        return f"{self.world} processes on {self.nodes} node{'s' if self.nodes != 1 else ''} (DDP {self.backend})"
