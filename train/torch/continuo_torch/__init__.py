"""Train Continuo's LSTM in PyTorch and read/write Continuo's safetensors model files."""

__version__ = "1"
