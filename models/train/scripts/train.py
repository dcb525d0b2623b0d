"""Train BallNet on real frames + synthetic pools (+ Rust-renderer frames).

usage: python -m scripts.train --run NAME --budget SECONDS [--data DIR] [--init CKPT] [--lr 2e-3] [--rust DIR ...]
                                [--queue DIR ... --w_queue W]
       python -m scripts.train --run NAME --budget SECONDS --sets all [--wide] [--pool 'pool2/train_*.npz'] ...
Without --sets: dfl-soccer train frames (the original pipeline), selection on dfl valid (ballnet.evaluate's score).
With --sets: every named real set at its true geometry (ballnet.sets), patches over ball radii 1.5-40 px, selection
on the detector top-1 of every set's valid split (ballnet.eval_sets' score).
Writes runs/NAME/{last.pt,best.pt,log.jsonl} (under models/train). Checkpoints hold the EMA weights and the model
config.
"""
import argparse, copy, json, os, time
import numpy as np
import cv2
import torch

from ballnet import data, evaluate, eval_sets, paths, pool2, sets
from ballnet.infer import TorchRunner
from ballnet.losses import losses
from ballnet.model import build, count_macs, freeze_batchnorm


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    paths.add_data_argument(ap)
    ap.add_argument('--run', required=True)
    ap.add_argument('--budget', type=float, required=True, help='seconds of training')
    ap.add_argument('--init', default=None)
    ap.add_argument('--cfg', default='{}')
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--bs', type=int, default=32)
    ap.add_argument('--P', type=int, default=128)
    ap.add_argument('--rust', nargs='*', default=[])
    ap.add_argument('--queue', nargs='*', default=[],
                    help='capture queues (ballcam --capture DIR) reviewed with ballcam label review: one source of their reviewed rows')
    ap.add_argument('--w_queue', type=float, default=0.2)
    ap.add_argument('--w_real', type=float, default=None, help='dfl-soccer (original loader); default 0.5, 0 with --sets')
    ap.add_argument('--sets', nargs='*', default=[], help="real sets (ballnet/sets.py) or 'all'")
    ap.add_argument('--w_sets', type=float, default=0.6, help='total weight of the real sets')
    ap.add_argument('--set_weights', default='{}', help='JSON {set: relative weight}; default sqrt(frames)')
    ap.add_argument('--hardneg_sets', default=None, help='json from scripts/mine_sets.py')
    ap.add_argument('--w_hardneg_sets', type=float, default=0.15)
    ap.add_argument('--pool', default='pool/train_*.npz', help="synthetic pool chunks (glob; '' for none)")
    ap.add_argument('--pool2', default='', help='domain-randomised pool chunks from scripts/gen_pool2.py (glob)')
    ap.add_argument('--w_synth2', type=float, default=0.2)
    ap.add_argument('--wide', action='store_true', help='wide photometric augmentation (night, motion blur, JPEG)')
    ap.add_argument('--w_synth', type=float, default=0.5)
    ap.add_argument('--w_rust', type=float, default=0.3)
    ap.add_argument('--hardneg', default=None, help='json from scripts/mine.py')
    ap.add_argument('--w_hardneg', type=float, default=0.2)
    ap.add_argument('--hardneg_synth', default=None, help='json from scripts/mine.py --synthetic (pool and --rust folders)')
    ap.add_argument('--w_hardneg_synth', type=float, default=0.1)
    ap.add_argument('--freeze_bn', action='store_true',
                    help='keep BatchNorm statistics fixed (fine-tunes of a checkpoint recovered by scripts/from_onnx.py)')
    ap.add_argument('--eval_every', type=float, default=900)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seed', type=int, default=0)
    a = ap.parse_args()
    root = paths.data_root(a.data)
    cv2.setNumThreads(1)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    out_dir = os.path.join(paths.TRAIN_DIR, 'runs', a.run)
    os.makedirs(out_dir, exist_ok=True)
    logf = open(os.path.join(out_dir, 'log.jsonl'), 'a')

    def log(d):
        d['wall'] = time.strftime('%H:%M:%S', time.gmtime())
        print(json.dumps(d), flush=True); logf.write(json.dumps(d) + '\n'); logf.flush()

    cfg = json.loads(a.cfg)
    init = torch.load(a.init, map_location='cpu') if a.init else None
    if init:
        cfg = init['cfg']
        if init.get('recovered_from') and not a.freeze_bn:
            raise SystemExit(f"{a.init} descends from {init['recovered_from']} (scripts/from_onnx.py): its BatchNorm "
                             'statistics are the identity and batch statistics would replace them; pass --freeze_bn')
    # A fine-tune of a recovered checkpoint keeps its mark, so a fine-tune of that is refused without --freeze_bn too.
    lineage = {'recovered_from': init['recovered_from']} if init and init.get('recovered_from') else {}
    model = build(cfg)
    if init:
        model.load_state_dict(init['model'])
    ema = copy.deepcopy(model).eval()
    for p_ in ema.parameters():
        p_.requires_grad_(False)
    log(dict(cfg=model.cfg, params=sum(p.numel() for p in model.parameters()),
             mmac_192=count_macs(model, torch.zeros(1, 3, 192, 192)) / 1e6, args=vars(a)))

    if a.sets == ['all']:
        a.sets = sets.available(root)
    w_real = a.w_real if a.w_real is not None else (0.0 if a.sets else 0.5)
    sources, weights = [], []
    real = None
    if w_real > 0:
        real = data.RealSource(data.load_dfl('train', root))
        sources.append(real); weights.append(w_real)
    valid = data.load_dfl('valid', root) if not a.sets else None
    set_frames, valid_cache = {}, {}
    if a.sets:
        rel = json.loads(a.set_weights)
        for name in a.sets:
            set_frames[name] = sets.load_set(name, 'train', root)
        raw = {n: rel.get(n, np.sqrt(len(f))) for n, f in set_frames.items()}
        for name, fr in set_frames.items():
            sources.append(sets.SetSource(fr)); weights.append(a.w_sets * raw[name] / sum(raw.values()))
            log(dict(set=name, frames=len(fr), with_ball=sum(f['present'] for f in fr), weight=round(weights[-1], 3)))
    if a.hardneg_sets:
        hs = sets.SetHardNegSource(set_frames, json.load(open(a.hardneg_sets)))
        log(dict(hardneg_sets=a.hardneg_sets, peaks=len(hs.r)))
        sources.append(hs); weights.append(a.w_hardneg_sets)
    pool = data.PoolSource(os.path.join(paths.TRAIN_DIR, a.pool) if not os.path.isabs(a.pool) else a.pool)
    npool = pool.refresh() if a.pool else 0
    if a.pool2:
        p2 = pool2.Pool2Source(os.path.join(paths.TRAIN_DIR, a.pool2) if not os.path.isabs(a.pool2) else a.pool2)
        n2 = p2.refresh()
        log(dict(pool2=a.pool2, frames=n2))
        if n2:
            sources.append(p2); weights.append(a.w_synth2)
    if npool:
        sources.append(pool); weights.append(a.w_synth)
    folders = {}
    for d in a.rust:
        fs = folders[d] = data.FolderSource(d)
        log(dict(rust_source=d, frames=len(fs.imgs), present=float(fs.L[:, 0].mean())))
        sources.append(fs); weights.append(a.w_rust / max(len(a.rust), 1))
    if a.queue:
        qs = data.QueueSource(a.queue)
        log(dict(queue_folders=len(a.queue), images=len(qs.imgs), present=float(qs.L[:, 0].mean())))
        sources.append(qs); weights.append(a.w_queue)
    if a.hardneg_synth:
        frames = {d: (fs.I, fs.L, None) for d, fs in folders.items()}
        if npool:
            frames['pool'] = (pool.I, pool.L, pool.start)
        hs = data.FrameHardNegSource(frames, json.load(open(a.hardneg_synth)))
        log(dict(hardneg_synth=a.hardneg_synth, peaks=len(hs.r)))
        sources.append(hs); weights.append(a.w_hardneg_synth)
    if a.hardneg:
        hn = data.HardNegSource(real.f if real else data.load_dfl('train', root), json.load(open(a.hardneg)))
        log(dict(hardneg=a.hardneg, peaks=len(hn.r)))
        sources.append(hn); weights.append(a.w_hardneg)
    log(dict(real=len(real.f) if real else 0, sets=list(set_frames), pool=npool))

    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
    t0 = time.time(); it = 0; best = -1e9; last_eval = time.time(); tdata = 0.0
    run_ema = None
    ema_decay = 0.998

    def do_eval(tag):
        te = time.time()
        if a.sets:
            res = eval_sets.evaluate_all(TorchRunner(ema), root, 'valid', list(set_frames), cache=valid_cache)
            small = {n: dict(top1=round(v['top1'], 3), r=round(v['recall'], 3), p=round(v['precision'], 3)) for n, v in res.items()}
            return eval_sets.score(res), small, time.time() - te
        S, _ = evaluate.evaluate(TorchRunner(ema), valid, thr=None, search=True, native_pass=False, fp_real=True, search_fp=False)
        sc = evaluate.score(S)
        small = dict(roi_r=round(S['roi']['recall'], 3), roi_p=round(S['roi']['precision'], 3),
                     search={k: round(v['recall'], 3) for k, v in S['search'].items()},
                     fp_inp=round(S['fp_real_roi_inpainted']['rate'], 3), fp_rand=round(S['fp_real_roi_random_ballfree']['rate'], 3))
        return sc, small, time.time() - te

    while True:
        el = time.time() - t0
        if el > a.budget:
            break
        frac = el / a.budget
        lr = a.lr * min(1.0, (it + 1) / 100) * (0.02 + 0.98 * 0.5 * (1 + np.cos(np.pi * frac)))
        for g in opt.param_groups:
            g['lr'] = lr
        if it % 200 == 0 and it > 0 and pool in sources:
            npool = pool.refresh()
        elif it % 200 == 0 and it > 0 and a.pool and pool not in sources and pool.refresh():
            sources.append(pool); weights.append(a.w_synth)
        td = time.time()
        X, HM, REG, IND, M = data.make_batch(sources, weights, rng, a.bs, a.P, wide=a.wide)
        x = torch.from_numpy(X).permute(0, 3, 1, 2).float()
        tdata += time.time() - td
        model.train()
        if a.freeze_bn:
            freeze_batchnorm(model)
        out = model(x)
        focal, off, size = losses(out, torch.from_numpy(HM), torch.from_numpy(REG), torch.from_numpy(IND), torch.from_numpy(M))
        loss = focal + off + size
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        with torch.no_grad():
            d = min(ema_decay, (1 + it) / (10 + it))
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(d).add_(pm.detach(), alpha=1 - d)
            for be, bm in zip(ema.buffers(), model.buffers()):
                be.copy_(bm)
        it += 1
        v = np.array([loss.item(), focal.item(), off.item(), size.item()])
        run_ema = v if run_ema is None else 0.98 * run_ema + 0.02 * v
        if it % 50 == 0:
            el = time.time() - t0
            log(dict(it=it, t=round(el), sps=round(it * a.bs / el, 1), loss=round(run_ema[0], 4), focal=round(run_ema[1], 4),
                     off=round(run_ema[2], 4), size=round(run_ema[3], 4), lr=round(lr, 6), pool=npool,
                     data_frac=round(tdata / el, 3), load=round(os.getloadavg()[0], 2)))
        if it % 200 == 0:
            torch.save(dict(model=ema.state_dict(), cfg=ema.cfg, it=it, **lineage), os.path.join(out_dir, 'last.pt'))
        if time.time() - last_eval > a.eval_every:
            sc, small, dt = do_eval('periodic')
            if sc > best:
                best = sc
                torch.save(dict(model=ema.state_dict(), cfg=ema.cfg, it=it, **lineage, score=sc, metrics=small), os.path.join(out_dir, 'best.pt'))
            log(dict(eval_it=it, score=round(sc, 4), best=round(best, 4), eval_s=round(dt, 1), **small))
            last_eval = time.time()
    torch.save(dict(model=ema.state_dict(), cfg=ema.cfg, it=it, **lineage), os.path.join(out_dir, 'last.pt'))
    sc, small, dt = do_eval('final')
    if sc > best:
        best = sc
        torch.save(dict(model=ema.state_dict(), cfg=ema.cfg, it=it, **lineage, score=sc, metrics=small), os.path.join(out_dir, 'best.pt'))
    log(dict(done=True, it=it, score=round(sc, 4), best=round(best, 4), **small))


if __name__ == '__main__':
    main()
