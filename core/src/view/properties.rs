//! Property tests of the view geometry over real phones: the view sizes of common Android phones
//! (pixels) and iPhones/iPads (points), portrait and landscape, the camera sizes the shells ask
//! for, every rotation, both scale modes, and crops of every zoom at the frame's edges, corners
//! and centre. The same sweep runs through the bindings (tests/bindings).

use super::geometry::{view_transform, FrameGeometry, Rect, ScaleMode, ViewSize, ViewTransform};
use crate::frame::Rotation;

/// Views in portrait (the sweep adds each one turned to landscape): Android pixels (full screen
/// and with the system bars) and iOS points.
const PHONE_VIEWS: [(f64, f64); 12] = [
    (1080.0, 2340.0),
    (1080.0, 2400.0),
    (1440.0, 3200.0),
    (1080.0, 1920.0),
    (720.0, 1600.0),
    (1080.0, 2201.0),
    (1170.0, 2532.0),
    (390.0, 844.0),
    (430.0, 932.0),
    (375.0, 667.0),
    (768.0, 1024.0),
    (820.0, 1180.0),
];
/// Camera buffer sizes the shells ask for (landscape, as sensors deliver them).
const CAMERA_SIZES: [(u32, u32); 5] = [
    (1280, 720),
    (1920, 1080),
    (640, 480),
    (1440, 1080),
    (3840, 2160),
];
const ROTATIONS: [Rotation; 4] = [
    Rotation::Deg0,
    Rotation::Deg90,
    Rotation::Deg180,
    Rotation::Deg270,
];
/// Crop widths, as fractions of the widest crop of the view's aspect.
const ZOOMS: [f64; 4] = [1.0, 0.6, 0.3, 0.12];
/// Crop positions: fractions of the free room left of and above the crop.
const PLACES: [(f64, f64); 6] = [
    (0.0, 0.0),
    (1.0, 0.0),
    (0.0, 1.0),
    (1.0, 1.0),
    (0.5, 0.5),
    (0.2, 0.7),
];
/// Tolerance relative to the lengths involved.
const REL_EPS: f64 = 1e-9;

fn near(a: f64, b: f64, scale: f64) -> bool {
    (a - b).abs() <= REL_EPS * scale.max(1.0)
}

/// The widest crop of aspect `w:h` in a `fw` x `fh` frame, scaled by `zoom` and placed at
/// `place` of the room left.
fn crop(fw: f64, fh: f64, aspect: f64, zoom: f64, place: (f64, f64)) -> Rect {
    let (mut w, mut h) = (fw, fw / aspect);
    if h > fh {
        (w, h) = (fh * aspect, fh);
    }
    let (w, h) = (w * zoom, h * zoom);
    Rect {
        x: (fw - w) * place.0,
        y: (fh - h) * place.1,
        width: w,
        height: h,
    }
}

/// Every view (portrait and landscape) x camera size x rotation x scale mode.
fn cases() -> impl Iterator<Item = (ViewSize, FrameGeometry, ScaleMode)> {
    PHONE_VIEWS.iter().flat_map(|&(w, h)| {
        [(w, h), (h, w)].into_iter().flat_map(|(vw, vh)| {
            CAMERA_SIZES.iter().flat_map(move |&(cw, ch)| {
                ROTATIONS.iter().flat_map(move |&rotation| {
                    [ScaleMode::Fit, ScaleMode::Fill]
                        .into_iter()
                        .map(move |mode| {
                            (
                                ViewSize {
                                    width: vw,
                                    height: vh,
                                },
                                FrameGeometry {
                                    width: cw,
                                    height: ch,
                                    rotation,
                                },
                                mode,
                            )
                        })
                })
            })
        })
    })
}

/// The part of the upright frame the preview itself shows (fill-centre cuts the overflow).
fn preview_part(view: ViewSize, frame: FrameGeometry, mode: ScaleMode) -> Rect {
    let (fw, fh) = frame.upright_size();
    let (fw, fh) = (f64::from(fw), f64::from(fh));
    let base = match mode {
        ScaleMode::Fill => (view.width / fw).max(view.height / fh),
        ScaleMode::Fit => (view.width / fw).min(view.height / fh),
    };
    let (sw, sh) = ((view.width / base).min(fw), (view.height / base).min(fh));
    Rect {
        x: (fw - sw) / 2.0,
        y: (fh - sh) / 2.0,
        width: sw,
        height: sh,
    }
}

/// The view's corners in frame pixels must lie in the part of the frame the preview shows.
fn nothing_outside(t: &ViewTransform, part: &Rect, what: &str) {
    let scale = part.width.max(part.height);
    for (vx, vy) in [(0.0, 0.0), (t.view.width, t.view.height)] {
        let (x, y) = t.view_to_frame(vx, vy);
        assert!(
            x >= part.x - REL_EPS * scale
                && x <= part.right() + REL_EPS * scale
                && y >= part.y - REL_EPS * scale
                && y <= part.bottom() + REL_EPS * scale,
            "{what}: view corner ({vx}, {vy}) shows frame ({x}, {y}) outside {part:?}: {t:?}"
        );
    }
}

#[test]
fn the_crop_covers_the_view_and_nothing_outside_the_frame_shows() {
    let mut checked = 0usize;
    for (view, frame, mode) in cases() {
        let (fw, fh) = frame.upright_size();
        let (fw, fh) = (f64::from(fw), f64::from(fh));
        let part = preview_part(view, frame, mode);
        let what = format!("{view:?} {frame:?} {mode:?}");
        let plain = view_transform(frame, view, mode, None).unwrap();
        assert_eq!((plain.scale, plain.tx, plain.ty), (1.0, 0.0, 0.0), "{what}");
        for aspect in [view.width / view.height, 16.0 / 9.0] {
            for zoom in ZOOMS {
                for place in PLACES {
                    let c = crop(fw, fh, aspect, zoom, place);
                    let t = view_transform(frame, view, mode, Some(c)).unwrap();
                    let what = format!("{what} crop {c:?}");
                    assert!(
                        t.scale >= 1.0 - REL_EPS && t.scale.is_finite(),
                        "{what}: {t:?}"
                    );
                    nothing_outside(&t, &part, &what);
                    // Where the preview shows the whole crop, the crop covers the view; with the
                    // view's aspect it is the view, exactly.
                    let inside = part.intersect(&c) == c
                        || (near(part.intersect(&c).width, c.width, fw)
                            && near(part.intersect(&c).height, c.height, fh));
                    if inside {
                        let (x0, y0) = t.frame_to_view(c.x, c.y);
                        let (x1, y1) = t.frame_to_view(c.right(), c.bottom());
                        let s = view.width.max(view.height);
                        assert!(
                            x0 <= REL_EPS * s
                                && y0 <= REL_EPS * s
                                && x1 >= view.width - REL_EPS * s
                                && y1 >= view.height - REL_EPS * s,
                            "{what}: crop at ({x0},{y0})-({x1},{y1}) does not cover the view"
                        );
                        if aspect == view.width / view.height {
                            assert!(
                                near(x0, 0.0, s)
                                    && near(y0, 0.0, s)
                                    && near(x1, view.width, s)
                                    && near(y1, view.height, s),
                                "{what}: crop at ({x0},{y0})-({x1},{y1}) is not the view"
                            );
                        }
                    }
                    if mode == ScaleMode::Fit {
                        assert!(inside, "{what}: fit-centre shows the whole frame");
                    }
                    // The ball maps to the view and back to its pixel, and the centre-pivot form
                    // is the same transform.
                    let (bx, by) = (c.x + c.width * 0.3, c.y + c.height * 0.6);
                    let (vx, vy) = t.frame_to_view(bx, by);
                    let (rx, ry) = t.view_to_frame(vx, vy);
                    assert!(
                        near(rx, bx, fw) && near(ry, by, fh),
                        "{what}: ball {bx},{by} -> {rx},{ry}"
                    );
                    let (cx, cy) = (view.width / 2.0, view.height / 2.0);
                    let (px, py) = (123.0, 45.0);
                    let top_left = (t.scale * px + t.tx, t.scale * py + t.ty);
                    let centred = (
                        cx + t.scale * (px - cx) + t.centre_tx,
                        cy + t.scale * (py - cy) + t.centre_ty,
                    );
                    let s = view.width.max(view.height) * t.scale;
                    assert!(
                        near(top_left.0, centred.0, s) && near(top_left.1, centred.1, s),
                        "{what}: centre form {centred:?} vs {top_left:?}"
                    );
                    checked += 1;
                }
            }
        }
    }
    // 24 views x 5 cameras x 4 rotations x 2 modes x 2 aspects x 4 zooms x 6 places.
    assert_eq!(checked, 24 * 5 * 4 * 2 * 2 * 4 * 6);
}
