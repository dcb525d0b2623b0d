"""BallNet training library: Ballcam's ball detector, its data, renderers and evaluation.

Modules (importing any of them does no work; the entry points are in `models/train/scripts/`):
- `contract`: the engine/model contract, read from `models/contract.json`;
- `paths`: the repository's model folders and the data folder (`--data` / `$BALLCAM_DATA`);
- `model`: the BallNet architecture;
- `data`: training patches from dfl-soccer, synthetic pools and renderer folders; `sets`: every real set at its
  true geometry; `pool2`: patches from the domain-randomised pool;
- `synth`, `synth2`: the synthetic frame generators;
- `infer`: runners (onnxruntime, PyTorch), letterboxing and top-1 decoding;
- `evaluate`: the dfl-soccer evaluation; `eval_sets`: detector top-1 on every real set;
- `mining`: hard-negative peak picking; `losses`: the training loss; `export`: ONNX export helpers.
"""
