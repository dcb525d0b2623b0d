"""int8 QDQ export of the shipped model (experiment, not shipped): static quantisation with onnxruntime's
QDQ quantiser, calibrated on real dfl train crops; then compared with fp32 on dfl valid (ROI mode) and timed.

usage: python -m scripts.quantize [--data DIR] [--model ../ballnet.onnx] [--out runs/ballnet_int8_qdq.onnx] [--calib 200]

Inputs and outputs stay f32 (contract v1); weights are int8 per channel, activations uint8 per tensor.
The Sigmoid of the decoder lives in the engine, not in the graph, so no QLinearSigmoid contrib op appears.
Time it in tract with: cargo run --release -p ballcam-core --example model_time -- runs/ballnet_int8_qdq.onnx 192 192
"""
import argparse, os
import numpy as np
import cv2
import onnx
from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType,
                                      quantize_static)

from ballnet import contract, data, evaluate, paths
from ballnet.infer import OrtRunner


class Crops(CalibrationDataReader):
    """Native-resolution 192x192 ROI crops around (and away from) the ball on dfl train frames."""

    def __init__(self, n, root, seed=0):
        rng = np.random.default_rng(seed)
        ROI = evaluate.roi_side()
        name = contract.get().input_name
        frames = data.load_dfl('train', root)
        self.items = []
        for k in range(n):
            fr = frames[rng.integers(len(frames))]
            img = data.native_frame(fr['img'])
            if k % 2 == 0 and fr['present']:
                cx, cy = fr['cx'] + rng.uniform(-64, 64), fr['cy'] + rng.uniform(-64, 64)
            else:
                cx, cy = rng.uniform(ROI / 2, img.shape[1] - ROI / 2), rng.uniform(ROI / 2, img.shape[0] - ROI / 2)
            x0 = int(np.clip(cx - ROI / 2, 0, img.shape[1] - ROI))
            y0 = int(np.clip(cy - ROI / 2, 0, img.shape[0] - ROI))
            crop = img[y0:y0 + ROI, x0:x0 + ROI]
            self.items.append({name: np.ascontiguousarray(crop.transpose(2, 0, 1)[None].astype(np.float32))})
        self.it = iter(self.items)

    def get_next(self):
        return next(self.it, None)

    def rewind(self):
        self.it = iter(self.items)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    paths.add_data_argument(ap, 'dfl-soccer/')
    ap.add_argument('--model', default=os.path.join(paths.MODELS_DIR, 'ballnet.onnx'))
    ap.add_argument('--out', default=os.path.join(paths.TRAIN_DIR, 'runs', 'ballnet_int8_qdq.onnx'))
    ap.add_argument('--calib', type=int, default=200)
    a = ap.parse_args()
    root = paths.data_root(a.data)
    cv2.setNumThreads(1)
    quantize_static(a.model, a.out, Crops(a.calib, root), quant_format=QuantFormat.QDQ,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, per_channel=True,
                    calibrate_method=CalibrationMethod.MinMax)
    # The quantiser stores inferred intermediate shapes with the symbols H, W; tract then cannot fix the input
    # size per mode (it refuses to unify H with 192). Drop them: tract infers them itself.
    m = onnx.load(a.out)
    del m.graph.value_info[:]
    onnx.save(m, a.out)
    print('wrote', a.out, os.path.getsize(a.out), 'bytes (fp32:', os.path.getsize(a.model), ')')
    valid = data.load_dfl('valid', root)
    for name, path in (('fp32', a.model), ('int8 qdq', a.out)):
        S, _ = evaluate.evaluate(OrtRunner(path, 2), valid, thr=contract.get().search_threshold, search=False, native_pass=False,
                                 fp_real=False, search_fp=False)
        print(f"{name}: ROI recall {S['roi']['recall']:.3f} precision {S['roi']['precision']:.3f} (thr {S['thr']})")


if __name__ == '__main__':
    main()
