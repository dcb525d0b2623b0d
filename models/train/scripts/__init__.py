"""Entry points of the training code. Run each from models/train as a module, e.g. `python -m scripts.export -h`."""
