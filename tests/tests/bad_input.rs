//! Bad-input matrix: every public entry point of the core and of the bindings with zero, odd,
//! 1, 8193, 100000 and `u32::MAX` sizes; row strides 0, one row minus one byte and huge; pixel
//! strides 0-3; short and overlapping planes; every format x rotation; NaN, infinite and
//! negative config values; timestamps backwards, repeated, jumping by hours and at the `i64`
//! extremes; truncated, random and contract-breaking models. Each call returns a typed error
//! that names the problem (or a valid result), nothing panics, and the same engine gives a
//! result for the next good frame.

// Only `repo_path` is used here.
#[allow(dead_code)]
mod common;

use ballcam_core::testing::Detector;
use ballcam_core::testing::{Converter, Region};
use ballcam_core::InputSize;
use ballcam_core::{
    AspectRatio, Config, Engine, Error, Frame, FrameError, FrameResult, ModelError, PixelFormat,
    Preset, Rotation,
};
use ballcam_core::{ColorRange, Plane};
use ballcam_ffi::{BallcamEngine, BallcamError, ColorRange as FfiRange};
use prost::Message;
use tract_onnx::pb;

const FORMATS: [PixelFormat; 8] = [
    PixelFormat::Nv21,
    PixelFormat::Nv12,
    PixelFormat::I420,
    PixelFormat::Rgba8,
    PixelFormat::Bgra8,
    PixelFormat::Rgb8,
    PixelFormat::Yuyv,
    PixelFormat::Uyvy,
];
const ROTATIONS: [Rotation; 4] = [
    Rotation::Deg0,
    Rotation::Deg90,
    Rotation::Deg180,
    Rotation::Deg270,
];
/// The sizes of the matrix: zero, odd, one, one over the engine's largest side, large, largest.
const SIDES: [u32; 7] = [0, 63, 1, 8193, 100_000, u32::MAX, 64];
/// The good frame's size.
const GOOD_W: u32 = 64;
const GOOD_H: u32 = 48;
/// Largest plane the matrix allocates, bytes (bigger frames get short planes).
const MAX_ALLOC: usize = 8 << 20;
/// Frame interval, microseconds.
const FRAME_US: i64 = 33_333;
/// One hour, microseconds.
const HOUR_US: i64 = 3_600_000_000;

/// Row stride, pixel stride and rows of each plane of a `w` x `h` frame, tightly packed.
fn layout(format: PixelFormat, w: usize, h: usize) -> [(usize, usize, usize); 3] {
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    match format {
        PixelFormat::Rgba8 | PixelFormat::Bgra8 => [(4 * w, 4, h), (0, 0, 0), (0, 0, 0)],
        PixelFormat::Rgb8 => [(3 * w, 3, h), (0, 0, 0), (0, 0, 0)],
        PixelFormat::Yuyv | PixelFormat::Uyvy => [(2 * w, 2, h), (0, 0, 0), (0, 0, 0)],
        PixelFormat::Nv21 | PixelFormat::Nv12 => [(w, 1, h), (2 * cw, 2, ch), (0, 0, 0)],
        PixelFormat::I420 => [(w, 1, h), (cw, 1, ch), (cw, 1, ch)],
    }
}

/// Plane buffers for a layout: exactly as long as needed (capped at [`MAX_ALLOC`]).
fn buffers(l: &[(usize, usize, usize); 3]) -> [Vec<u8>; 3] {
    std::array::from_fn(|i| {
        let (stride, _, rows) = l[i];
        vec![100u8; stride.saturating_mul(rows).min(MAX_ALLOC)]
    })
}

fn frame<'a>(
    format: PixelFormat,
    w: u32,
    h: u32,
    l: &[(usize, usize, usize); 3],
    bufs: &'a [Vec<u8>; 3],
    rotation: Rotation,
    t: i64,
) -> Frame<'a> {
    Frame {
        width: w,
        height: h,
        format,
        planes: std::array::from_fn(|i| Plane {
            data: &bufs[i],
            row_stride: l[i].0,
            pixel_stride: l[i].1,
        }),
        rotation,
        timestamp_us: t,
    }
}

/// One engine taken through the matrix: after every bad call, a good frame must give a result.
struct Subject {
    engine: Engine,
    t: i64,
    good: Vec<u8>,
    checked: usize,
}

impl Subject {
    fn new() -> Subject {
        Subject {
            engine: Engine::new(Config::preset(Preset::Phone30Fps)).expect("engine"),
            t: 0,
            good: vec![128u8; (GOOD_W * GOOD_H * 3 / 2) as usize],
            checked: 0,
        }
    }

    fn next_t(&mut self) -> i64 {
        self.t += FRAME_US;
        self.t
    }

    /// The engine still works: the next good frame gives a result inside its frame.
    fn still_works(&mut self, what: &str) {
        let t = self.next_t();
        let r = self
            .engine
            .process(&Frame::nv21(&self.good, GOOD_W, GOOD_H, Rotation::Deg0, t))
            .unwrap_or_else(|e| panic!("{what}: the good frame after it failed: {e}"));
        check_result(&r, what);
        self.checked += 1;
    }
}

fn check_result(r: &FrameResult, what: &str) {
    let (w, h) = (r.frame_width as f32, r.frame_height as f32);
    let c = r.crop;
    assert!(
        c.x >= 0.0 && c.y >= 0.0 && c.x + c.width <= w && c.y + c.height <= h,
        "{what}: crop {c:?} outside {w}x{h}"
    );
}

/// A frame error whose message names one of `needles`.
fn expect_frame_error(r: ballcam_core::Result<FrameResult>, needles: &[&str], what: &str) {
    match r {
        Err(Error::Frame(e)) => {
            let m = e.to_string();
            assert!(
                needles.iter().any(|n| m.contains(n)),
                "{what}: `{m}` names none of {needles:?}"
            );
        }
        Err(e) => panic!("{what}: expected a frame error, got {e}"),
        Ok(r) => panic!("{what}: expected an error, got {r:?}"),
    }
}

#[test]
fn frame_sizes_strides_and_planes_of_every_format_and_rotation() {
    let mut s = Subject::new();
    for format in FORMATS {
        for rotation in ROTATIONS {
            let tag = format!("{format:?} {rotation:?}");
            // Sizes.
            for w in SIDES {
                for h in [0, 1, 63, 8193, 100_000, u32::MAX, 48] {
                    if (w, h) == (64, 48) {
                        continue;
                    }
                    let what = format!("{tag} {w}x{h}");
                    let l = layout(format, w as usize, h as usize);
                    let bufs = buffers(&l);
                    let t = s.next_t();
                    let r = s
                        .engine
                        .process(&frame(format, w, h, &l, &bufs, rotation, t));
                    // Small sizes are valid frames, odd ones only where the chroma is not
                    // subsampled on that axis (RGB; the height of 4:2:2).
                    let small = |v: u32| [1, 48, 63, 64].contains(&v);
                    let (sx, sy) = format.chroma_subsampling();
                    if small(w) && small(h) && w % sx == 0 && h % sy == 0 {
                        let r = r.unwrap_or_else(|e| panic!("{what}: {e}"));
                        check_result(&r, &what);
                    } else {
                        let (ws, hs) = (w.to_string(), h.to_string());
                        expect_frame_error(r, &[&ws, &hs, "plane"], &what);
                    }
                    s.still_works(&what);
                }
            }
            // Row strides: 0, one row minus a byte, huge; one plane at a time.
            let base = layout(format, 64, 48);
            for plane in 0..format.plane_count() {
                let row = base[plane].0;
                for stride in [0, row - 1, usize::MAX / 2, usize::MAX] {
                    let mut l = base;
                    l[plane].0 = stride;
                    let bufs = buffers(&base);
                    let what = format!("{tag} plane {plane} stride {stride}");
                    let t = s.next_t();
                    let r = s
                        .engine
                        .process(&frame(format, 64, 48, &l, &bufs, rotation, t));
                    expect_frame_error(r, &["plane", "overflow"], &what);
                    s.still_works(&what);
                }
                // Pixel strides 0..=3.
                for ps in 0..=3 {
                    let mut l = base;
                    l[plane].1 = ps;
                    if ps >= 2 {
                        l[plane].0 = l[plane].0.max(ps * 64);
                    }
                    let bufs = buffers(&l);
                    let what = format!("{tag} plane {plane} pixel stride {ps}");
                    let t = s.next_t();
                    let r = s
                        .engine
                        .process(&frame(format, 64, 48, &l, &bufs, rotation, t));
                    match r {
                        Ok(r) => check_result(&r, &what),
                        Err(e) => expect_frame_error(Err(e), &["pixel stride", "plane"], &what),
                    }
                    s.still_works(&what);
                }
                // A plane one byte short.
                let mut bufs = buffers(&base);
                bufs[plane].pop();
                let what = format!("{tag} plane {plane} one byte short");
                let t = s.next_t();
                let r = s
                    .engine
                    .process(&frame(format, 64, 48, &base, &bufs, rotation, t));
                expect_frame_error(r, &["plane"], &what);
                s.still_works(&what);
            }
            // Overlapping planes: every plane a view of one buffer (the engine only reads).
            let shared = vec![77u8; 64 * 48 * 4];
            let views: [&[u8]; 3] = [&shared, &shared[1..], &shared[2..]];
            let f = Frame {
                width: 64,
                height: 48,
                format,
                planes: std::array::from_fn(|i| Plane {
                    data: views[i],
                    row_stride: base[i].0,
                    pixel_stride: base[i].1,
                }),
                rotation,
                timestamp_us: s.next_t(),
            };
            let what = format!("{tag} overlapping planes");
            let r = s
                .engine
                .process(&f)
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            check_result(&r, &what);
            s.still_works(&what);
        }
    }
    assert!(s.checked > 1000, "{} cases", s.checked);
    let tm = s.engine.telemetry();
    assert_eq!(
        tm.frames + tm.frame_errors,
        (s.t / FRAME_US) as u64,
        "{tm:?}"
    );
}

#[test]
fn timestamps_backwards_repeated_jumping_and_extreme() {
    let mut s = Subject::new();
    let good = s.good.clone();
    let at = |s: &mut Subject, t: i64| {
        s.engine
            .process(&Frame::nv21(&good, GOOD_W, GOOD_H, Rotation::Deg0, t))
    };
    at(&mut s, 1_000).expect("first");
    for bad in [1_000, 999, i64::MIN, 0] {
        match at(&mut s, bad) {
            Err(Error::Frame(FrameError::NonMonotonicTimestamp { timestamp_us, .. })) => {
                assert_eq!(timestamp_us, bad)
            }
            other => panic!("timestamp {bad}: {other:?}"),
        }
    }
    // An hour's jump, then ten, then the largest timestamp.
    at(&mut s, 1_000 + HOUR_US).expect("an hour later");
    at(&mut s, 1_000 + 11 * HOUR_US).expect("ten hours later");
    at(&mut s, i64::MAX - 1).expect("near the end of time");
    at(&mut s, i64::MAX).expect("the end of time");
    assert!(at(&mut s, i64::MAX).is_err());
    // After a reset, any timestamp starts a new stream, the smallest included.
    s.engine.reset();
    at(&mut s, i64::MIN).expect("the start of time");
    at(&mut s, i64::MIN + 1).expect("just after");
    at(&mut s, 0).expect("zero");
    s.t = 0;
    s.still_works("after the extremes");
}

/// Every numeric leaf of a preset's config, as a dotted path.
fn numeric_fields(v: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
    if let Some(map) = v.as_object() {
        for (k, v) in map {
            let path = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            if v.is_number() {
                out.push(path);
            } else {
                numeric_fields(v, &path, out);
            }
        }
    }
}

#[test]
fn config_values_nan_infinite_negative_and_huge() {
    let base = serde_json::to_value(Config::preset(Preset::Phone30Fps)).expect("json");
    let mut fields = Vec::new();
    numeric_fields(&base, "", &mut fields);
    assert!(fields.len() > 40, "{fields:?}");
    let mut refused = 0;
    for field in &fields {
        let (section, key) = match field.rsplit_once('.') {
            Some((s, k)) => (format!("[{s}]\n"), k.to_string()),
            None => (String::new(), field.clone()),
        };
        for value in ["nan", "inf", "-inf", "-1", "-1e300", "1e300", "0"] {
            let text = format!("preset = \"phone-30fps\"\n{section}{key} = {value}\n");
            match Config::from_toml_str(&text) {
                Err(e) => {
                    refused += 1;
                    // The field itself, or the tagged table holding it (`crop.zoom`: TOML's
                    // nan has no JSON form, so the variant as a whole is refused).
                    assert!(
                        (e.field.contains(&key)
                            || field.starts_with(&format!("{}.", e.field))
                            || e.field.rsplit_once('.').map(|p| p.0)
                                == field.rsplit_once('.').map(|p| p.0))
                            && !e.message.is_empty(),
                        "{field} = {value}: the error names `{}`: {e}",
                        e.field
                    );
                }
                Ok(c) => c
                    .validate()
                    .unwrap_or_else(|e| panic!("{field} = {value} accepted but invalid: {e}")),
            }
        }
    }
    assert!(refused > 4 * fields.len(), "{refused} refusals");
    // Aspect strings.
    for aspect in [
        "0:0",
        "-1:2",
        "4294967296:1",
        "1:100000",
        "nan:1",
        "16:9:1",
        "",
    ] {
        let text = format!("[crop]\naspect = \"{aspect}\"\n");
        let e = Config::from_toml_str(&text).unwrap_err();
        assert!(e.field.contains("aspect"), "{aspect}: {e}");
        assert!(aspect.parse::<AspectRatio>().is_err());
    }
}

/// The shipped model, parsed.
fn shipped() -> (Vec<u8>, pb::ModelProto) {
    let bytes = std::fs::read(common::repo_path("models/ballnet.onnx")).expect("model");
    let proto = pb::ModelProto::decode(bytes.as_slice()).expect("onnx protobuf");
    (bytes, proto)
}

/// The shipped model with its input's dimensions (or element type) replaced.
fn with_input(proto: &pb::ModelProto, dims: Option<[i64; 4]>, elem_type: Option<i32>) -> Vec<u8> {
    use pb::tensor_shape_proto::{dimension, Dimension};
    let mut m = proto.clone();
    let graph = m.graph.as_mut().expect("graph");
    let input = graph.input.first_mut().expect("input");
    if let Some(pb::type_proto::Value::TensorType(t)) =
        input.r#type.as_mut().and_then(|t| t.value.as_mut())
    {
        if let Some(dims) = dims {
            t.shape = Some(pb::TensorShapeProto {
                dim: dims
                    .iter()
                    .map(|&d| Dimension {
                        denotation: String::new(),
                        value: Some(dimension::Value::DimValue(d)),
                    })
                    .collect(),
            });
        }
        if let Some(e) = elem_type {
            t.elem_type = e;
        }
    }
    m.encode_to_vec()
}

#[test]
fn truncated_random_and_contract_breaking_models() {
    let sizes = [InputSize::new(64, 64)];
    let (bytes, proto) = shipped();
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    for n in [0, 1, 16, 1000, bytes.len() / 2, bytes.len() - 1] {
        cases.push((format!("truncated to {n} bytes"), bytes[..n].to_vec()));
    }
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for len in [7, 1000, 100_000] {
        let random: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        cases.push((format!("{len} random bytes"), random));
    }
    cases.push((
        "input of 100000x100000".into(),
        with_input(&proto, Some([1, 3, 100_000, 100_000]), None),
    ));
    cases.push((
        "input of 2 channels".into(),
        with_input(&proto, Some([1, 2, 64, 64]), None),
    ));
    cases.push((
        "batch of 4".into(),
        with_input(&proto, Some([4, 3, 64, 64]), None),
    ));
    cases.push((
        "input of type int64".into(),
        with_input(&proto, None, Some(pb::tensor_proto::DataType::Int64 as i32)),
    ));
    let mut renamed = proto.clone();
    if let Some(g) = renamed.graph.as_mut() {
        for o in &mut g.output {
            o.name = "logits".into();
        }
        for node in &mut g.node {
            for out in &mut node.output {
                if out == "out" {
                    *out = "logits".into();
                }
            }
        }
    }
    cases.push(("output named logits".into(), renamed.encode_to_vec()));
    let mut two_outputs = proto.clone();
    if let Some(g) = two_outputs.graph.as_mut() {
        let extra = g.output[0].clone();
        g.output.push(extra);
    }
    cases.push(("two outputs".into(), two_outputs.encode_to_vec()));

    let mut config = Config::preset(Preset::Phone30Fps);
    config.detector.full_input = InputSize::new(128, 96);
    for (what, model) in &cases {
        let e = Detector::from_bytes(model, &sizes, 1).expect_err(what);
        assert!(!e.to_string().is_empty(), "{what}");
        if what.starts_with("input of 100000")
            || what.contains("channels")
            || what.contains("batch")
        {
            assert!(matches!(e, ModelError::Contract { .. }), "{what}: {e}");
        }
        match Engine::with_model_bytes(config.clone(), model) {
            Err(Error::Model(_)) => {}
            other => panic!("{what}: expected a model error, got {other:?}"),
        }
    }
    // Through a config's model_path, with the engine that was working before kept working.
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("bad-models");
    std::fs::create_dir_all(&dir).expect("folder");
    let engine = BallcamEngine::new(ballcam_ffi::Preset::Phone30Fps).expect("engine");
    let good = vec![128u8; (GOOD_W * GOOD_H * 3 / 2) as usize];
    engine
        .push_nv21(&good, GOOD_W, GOOD_H, FfiRange::Limited, 0, 1)
        .expect("first frame");
    for (i, (what, model)) in cases.iter().enumerate().take(4) {
        let path = dir.join(format!("model{i}.onnx"));
        std::fs::write(&path, model).expect("write");
        let toml = format!("preset = \"phone-30fps\"\nmodel_path = {:?}\n", path);
        let r = engine.set_config_toml(toml.clone());
        assert!(matches!(r, Err(BallcamError::Model(_))), "{what}: {r:?}");
        let r = BallcamEngine::from_config_toml(toml);
        assert!(matches!(r, Err(BallcamError::Model(_))), "{what}");
        engine
            .push_nv21(&good, GOOD_W, GOOD_H, FfiRange::Limited, 0, 2 + i as i64)
            .unwrap_or_else(|e| panic!("{what}: the old engine stopped: {e}"));
    }
    for path in ["/dev/zero", "/", "/nonexistent/model.onnx"] {
        let toml = format!("model_path = \"{path}\"\n");
        let r = BallcamEngine::from_config_toml(toml);
        assert!(
            matches!(r, Err(BallcamError::Model(ref m)) if m.contains(path)),
            "{path}: {r:?}"
        );
    }
}

#[test]
fn converter_destinations_and_regions() {
    let mut conv = Converter::new(640, 480, ColorRange::Limited);
    let data = vec![128u8; 64 * 48 * 3 / 2];
    let f = Frame::nv21(&data, 64, 48, Rotation::Deg90, 0);
    let mut small = vec![0f32; 10];
    let mut dst = vec![0f32; 3 * 32 * 32];
    assert!(matches!(
        conv.tensor_from_frame(&f, &mut small, 32, 32),
        Err(FrameError::DestinationTooSmall { .. })
    ));
    for (w, h) in [(0, 32), (32, 0), (u32::MAX, 1), (1, u32::MAX)] {
        assert!(
            conv.tensor_from_frame(&f, &mut dst, w, h).is_err(),
            "{w}x{h}"
        );
    }
    for region in [
        Region {
            x: 0,
            y: 0,
            width: 0,
            height: 10,
        },
        Region {
            x: i32::MIN,
            y: i32::MIN,
            width: 10,
            height: 10,
        },
        Region {
            x: i32::MAX,
            y: 0,
            width: u32::MAX,
            height: 10,
        },
        Region {
            x: 100,
            y: 100,
            width: 10,
            height: 10,
        },
    ] {
        let e = conv
            .tensor_from_region(&f, region, &mut dst, 32, 32)
            .unwrap_err();
        assert!(e.to_string().contains("region"), "{region:?}: {e}");
    }
    // Regions reaching far outside the frame still convert (outside pixels are 0).
    for region in [
        Region {
            x: -1_000_000,
            y: -5,
            width: 2_000_000,
            height: 60,
        },
        Region {
            x: 47,
            y: 63,
            width: u32::MAX,
            height: u32::MAX,
        },
    ] {
        conv.tensor_from_region(&f, region, &mut dst, 32, 32)
            .unwrap_or_else(|e| panic!("{region:?}: {e}"));
        assert!(dst.iter().all(|v| v.is_finite()));
    }
    let mut rgb = vec![0u8; 10];
    assert!(matches!(
        conv.rgb_from_frame(&f, &mut rgb),
        Err(FrameError::DestinationTooSmall { .. })
    ));
}

#[test]
fn bindings_entry_points() {
    let engine = BallcamEngine::new(ballcam_ffi::Preset::Phone30Fps).expect("engine");
    let good = vec![128u8; (GOOD_W * GOOD_H * 3 / 2) as usize];
    let plane = (GOOD_W * GOOD_H) as usize;
    let mut t = 0i64;
    let mut works = |engine: &BallcamEngine, what: &str| {
        t += FRAME_US;
        let r = engine
            .push_nv21(&good, GOOD_W, GOOD_H, FfiRange::Limited, 0, t)
            .unwrap_or_else(|e| panic!("{what}: the good frame after it failed: {e}"));
        assert!(r.crop.x >= 0.0 && r.crop.x + r.crop.width <= f64::from(GOOD_W) + 1e-3);
        t
    };
    let invalid = |r: Result<ballcam_ffi::FrameResult, BallcamError>, what: &str| match r {
        Err(BallcamError::InvalidFrame(m)) => assert!(!m.is_empty(), "{what}"),
        other => panic!("{what}: expected InvalidFrame, got {other:?}"),
    };
    let sides = [0u32, 1, 63, 8193, 100_000, u32::MAX];
    let rotations = [0, 90, 180, 270, -90, 360, 45, i32::MIN, i32::MAX];
    let mut n = 0;
    for &w in &sides {
        for &h in &sides {
            for &rot in &rotations {
                let ts = works(&engine, "before") + 1;
                let what = format!("{w}x{h} rot {rot}");
                invalid(
                    engine.push_nv21(&good, w, h, FfiRange::Limited, rot, ts),
                    &what,
                );
                invalid(
                    engine.push_nv12(
                        &good[..plane],
                        w,
                        &good[plane..],
                        w,
                        w,
                        h,
                        FfiRange::Limited,
                        rot,
                        ts,
                    ),
                    &what,
                );
                let bgra = engine.push_bgra(&good, w.saturating_mul(4), w, h, rot, ts);
                let small = |v: u32| v == 1 || v == 63;
                let fits = u64::from(w) * u64::from(h) * 4 <= good.len() as u64;
                if small(w) && small(h) && fits && rot.rem_euclid(90) == 0 {
                    // A packed frame may have odd sides.
                    bgra.unwrap_or_else(|e| panic!("{what}: {e}"));
                } else {
                    invalid(bgra, &what);
                }
                invalid(
                    engine.push_yuv420(
                        &good[..plane],
                        w,
                        &good[plane..],
                        &good[plane + 1..],
                        w,
                        2,
                        w,
                        h,
                        FfiRange::Limited,
                        rot,
                        ts,
                    ),
                    &what,
                );
                n += 1;
            }
        }
    }
    // Strides and pixel strides at their extremes.
    for stride in [0, GOOD_W - 1, u32::MAX] {
        for ps in 0..=3 {
            let ts = works(&engine, "before") + 1;
            let what = format!("stride {stride} pixel stride {ps}");
            let r = engine.push_yuv420(
                &good[..plane],
                stride,
                &good[plane..],
                &good[plane + 1..],
                stride,
                ps,
                GOOD_W,
                GOOD_H,
                FfiRange::Limited,
                0,
                ts,
            );
            invalid(r, &what);
            invalid(
                engine.push_nv12(
                    &good[..plane],
                    stride,
                    &good[plane..],
                    stride,
                    GOOD_W,
                    GOOD_H,
                    FfiRange::Limited,
                    0,
                    ts,
                ),
                &what,
            );
            invalid(
                engine.push_bgra(&good, stride, GOOD_W / 4, GOOD_H, 0, ts),
                &what,
            );
        }
    }
    // Timestamps.
    let last = works(&engine, "before timestamps");
    for bad in [last, last - 1] {
        invalid(
            engine.push_nv21(&good, GOOD_W, GOOD_H, FfiRange::Limited, 0, bad),
            "timestamp",
        );
    }
    // A clock that jumps back by more than a second is a restarted camera: the shell's
    // lifecycle resets the engine and the frame is taken (core::view::Lifecycle).
    let restarted = engine
        .push_nv21(&good, GOOD_W, GOOD_H, FfiRange::Limited, 0, i64::MIN)
        .expect("a camera clock restarted at i64::MIN");
    assert_eq!(restarted.timestamp_us, i64::MIN);
    engine
        .push_nv21(&good, GOOD_W, GOOD_H, FfiRange::Limited, 0, last + HOUR_US)
        .expect("an hour later");
    engine
        .push_nv21(&good, GOOD_W, GOOD_H, FfiRange::Limited, 0, i64::MAX)
        .expect("the end of time");
    engine.reset();
    engine
        .push_nv21(&good, GOOD_W, GOOD_H, FfiRange::Limited, 0, i64::MIN)
        .expect("after a reset");
    engine.reset();
    // Aspects and configs.
    for (w, h) in [
        (0, 1),
        (1, 0),
        (u32::MAX, 1),
        (1, 11),
        (11, 1),
        (10_001, 10_000),
    ] {
        assert!(
            matches!(engine.set_aspect(w, h), Err(BallcamError::InvalidConfig(_))),
            "{w}:{h}"
        );
    }
    for toml in [
        "threads = -1",
        "[crop]\nmax_pan_speed = nan",
        "[crop]\nmax_pan_accel = inf",
        "[schedule]\nbudget_us = 0",
        "[tracker]\nmax_coast_s = -inf",
        "max_frame_width = 4294967296",
        "preset = 7",
        "[crop.zoom]\nmode = \"wobble\"",
        "this is not toml",
    ] {
        let r = engine.set_config_toml(toml.into());
        assert!(
            matches!(r, Err(BallcamError::InvalidConfig(_))),
            "{toml}: {r:?}"
        );
        assert!(
            matches!(
                BallcamEngine::from_config_toml(toml.into()),
                Err(BallcamError::InvalidConfig(_))
            ),
            "{toml}"
        );
    }
    let tm = engine.telemetry();
    // The invalid rotations are refused before the engine; every other bad frame is counted.
    assert!(tm.frames > 0 && tm.frame_errors as usize >= n, "{tm:?}");
    assert!(engine.heap_bytes() > 0);
    assert!(engine.config_toml().expect("toml").contains("phone-30fps"));
}
