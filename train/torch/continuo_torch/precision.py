"""Device and bf16 choice. bf16 means autocast: bf16 operands for the large products, float32
master weights, gradients, AdamW and loss (as `continuo train --precision bf16`)."""

import torch


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def cpu_has_native_bf16():
    """AVX512_BF16 or AMX-BF16 (elsewhere bf16 is emulated, slower than float32)."""
    return bool(cpu_flags() & {"avx512_bf16", "amx_bf16"})


def choose_device(requested, local_rank):
    if requested == "cuda" or (requested == "auto" and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise SystemExit("--device cuda: no CUDA device available")
        return torch.device("cuda", local_rank % torch.cuda.device_count())
    return torch.device("cpu")


def choose_bf16(mode, device):
    """(use bf16, why) for --bf16 auto|on|off."""
    if mode == "off":
        return False, "as asked"
    if mode == "on":
        return True, "as asked"
    if device.type == "cuda":
        ok = torch.cuda.is_bf16_supported()
        return ok, "this GPU supports bf16" if ok else "this GPU has no bf16"
    ok = cpu_has_native_bf16()
    return ok, ("this CPU has AVX512_BF16/AMX" if ok else "this CPU has no AVX512_BF16 or AMX")


def autocast(device, enabled):
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=enabled)


def kernels_description(device):
    """`continuo.kernels` for a PyTorch-trained file: framework, device, what ran the LSTM."""
    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
        cudnn = torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None
        return f"PyTorch {torch.__version__} CUDA {torch.version.cuda} {name}: " + \
            (f"cuDNN {cudnn} LSTM" if cudnn else "torch.nn.LSTM")
    capability = torch.backends.cpu.get_cpu_capability()
    onednn = "oneDNN" if torch.backends.mkldnn.is_available() else "native"
    return f"PyTorch {torch.__version__} CPU {capability}: torch.nn.LSTM ({onednn})"
