//! View geometry: where the virtual camera puts the preview so that the view shows exactly the
//! engine's crop, and how frame pixels map onto the screen.
//!
//! A phone shell shows the camera in a preview view (Android `PreviewView`, iOS
//! `AVCaptureVideoPreviewLayer`) that scales the upright frame into its bounds by itself —
//! [`ScaleMode::Fill`] (fill-centre: the frame covers the view, the overflow is cut off) or
//! [`ScaleMode::Fit`] (fit-centre: the whole frame inside the view, letterboxed) — and clips what
//! falls outside its bounds. The virtual camera is then a scale and a translation applied to the
//! preview view itself (`view = scale * p + (tx, ty)`, pivot at the view's top-left corner), which
//! [`view_transform`] computes from the frame's geometry, the view's size, the scale mode and the
//! crop:
//!
//! * the crop fills the view (when its aspect differs from the view's, its centre part does);
//! * nothing outside the frame is ever shown: the translation is clamped, and the scale raised if
//!   needed, so that the part of the frame the preview shows covers the whole view;
//! * [`ViewTransform::frame_to_view`] / [`ViewTransform::view_to_frame`] map upright-frame pixels
//!   to view coordinates and back (the ball marker, taps).
//!
//! With [`ScaleMode::Fill`] the preview has already cut off the frame's overflow, so a crop near
//! the frame's edge may be out of reach: the transform then shows the nearest reachable part
//! (still nothing outside the frame). [`ScaleMode::Fit`] keeps the whole frame reachable, and a
//! crop of the view's aspect is then shown exactly; the shells use it.
//!
//! Everything is in the view's own units (Android pixels, iOS points) and upright-frame pixels;
//! pure arithmetic, no allocation.

use crate::frame::Rotation;

use super::ViewError;

/// Largest view side accepted, in view units (no screen comes near it).
pub const MAX_VIEW_SIDE: f64 = 100_000.0;
/// Largest frame side accepted, pixels.
pub const MAX_FRAME_SIDE: u32 = 1 << 16;
/// Half of a length: the centre of an extent.
const HALF: f64 = 0.5;

/// How the preview view scales the upright frame into its bounds, before the virtual camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ScaleMode {
    /// Fill-centre (`PreviewView.ScaleType.FILL_CENTER`, `AVLayerVideoGravity.resizeAspectFill`):
    /// the frame covers the view; what overflows is cut off.
    Fill,
    /// Fit-centre (`PreviewView.ScaleType.FIT_CENTER`, `AVLayerVideoGravity.resizeAspect`): the
    /// whole frame inside the view, letterboxed. Every crop stays reachable.
    #[default]
    Fit,
}

/// A camera frame as the shell hands it over: buffer size and the clockwise rotation that makes
/// it upright (engine results are in upright pixels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FrameGeometry {
    /// Buffer width, pixels (before rotation).
    pub width: u32,
    /// Buffer height, pixels (before rotation).
    pub height: u32,
    /// Clockwise rotation that makes the buffer upright.
    pub rotation: Rotation,
}

/// A view's size in its own units (Android pixels, iOS points).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ViewSize {
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// An axis-aligned rectangle.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

impl Rect {
    /// Right edge.
    pub fn right(&self) -> f64 {
        self.x + self.width
    }

    /// Bottom edge.
    pub fn bottom(&self) -> f64 {
        self.y + self.height
    }

    /// The overlap of two rectangles (zero-sized when they do not overlap).
    pub fn intersect(&self, other: &Rect) -> Rect {
        let x = self.x.max(other.x);
        let y = self.y.max(other.y);
        Rect {
            x,
            y,
            width: (self.right().min(other.right()) - x).max(0.0),
            height: (self.bottom().min(other.bottom()) - y).max(0.0),
        }
    }
}

impl FrameGeometry {
    /// Checks both sides (non-zero, at most [`MAX_FRAME_SIDE`]).
    pub fn validate(&self, what: &'static str) -> Result<(), ViewError> {
        let ok = |v: u32| (1..=MAX_FRAME_SIDE).contains(&v);
        if ok(self.width) && ok(self.height) {
            Ok(())
        } else {
            Err(ViewError::BadSize {
                what,
                width: f64::from(self.width),
                height: f64::from(self.height),
                max: f64::from(MAX_FRAME_SIDE),
            })
        }
    }

    /// Size of the upright frame: the sides swap for 90° and 270°.
    pub fn upright_size(&self) -> (u32, u32) {
        match self.rotation {
            Rotation::Deg0 | Rotation::Deg180 => (self.width, self.height),
            Rotation::Deg90 | Rotation::Deg270 => (self.height, self.width),
        }
    }

    /// An upright-frame point as a fraction of the buffer's sides (0..1 each), undoing the
    /// rotation. Continuous coordinates: pixel `i` spans `[i, i + 1)`.
    pub fn upright_to_buffer_fraction(&self, x: f64, y: f64) -> (f64, f64) {
        let (w, h) = (f64::from(self.width), f64::from(self.height));
        // Upright (u, v) from buffer (bx, by): 90°: (h - by, bx); 180°: (w - bx, h - by);
        // 270°: (by, w - bx). Inverted here.
        let (bx, by) = match self.rotation {
            Rotation::Deg0 => (x, y),
            Rotation::Deg90 => (y, h - x),
            Rotation::Deg180 => (w - x, h - y),
            Rotation::Deg270 => (w - y, x),
        };
        (bx / w, by / h)
    }

    /// A point given as a fraction of the buffer's sides, in upright-frame pixels.
    pub fn buffer_fraction_to_upright(&self, fx: f64, fy: f64) -> (f64, f64) {
        let (w, h) = (f64::from(self.width), f64::from(self.height));
        let (bx, by) = (fx * w, fy * h);
        match self.rotation {
            Rotation::Deg0 => (bx, by),
            Rotation::Deg90 => (h - by, bx),
            Rotation::Deg180 => (w - bx, h - by),
            Rotation::Deg270 => (by, w - bx),
        }
    }
}

impl ViewSize {
    /// Checks both sides (finite, positive, at most [`MAX_VIEW_SIDE`]).
    pub fn validate(&self) -> Result<(), ViewError> {
        let ok = |v: f64| v.is_finite() && v > 0.0 && v <= MAX_VIEW_SIDE;
        if ok(self.width) && ok(self.height) {
            Ok(())
        } else {
            Err(ViewError::BadSize {
                what: "view",
                width: self.width,
                height: self.height,
                max: MAX_VIEW_SIDE,
            })
        }
    }
}

/// The virtual camera for one frame on one view, and the mappings between upright-frame pixels
/// and view coordinates under it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ViewTransform {
    /// The view size this transform was computed for (a shell skips a transform whose view size
    /// is no longer its view's).
    pub view: ViewSize,
    /// Scale applied to the preview view about its top-left corner (Android `scaleX`/`scaleY`
    /// with `pivotX = pivotY = 0`).
    pub scale: f64,
    /// Translation after the scale (Android `translationX`).
    pub tx: f64,
    /// Translation after the scale (Android `translationY`).
    pub ty: f64,
    /// The same transform for a view that scales about its centre (iOS `UIView.transform`,
    /// `CGAffineTransform(a: scale, b: 0, c: 0, d: scale, tx: centre_tx, ty: centre_ty)`).
    pub centre_tx: f64,
    /// See [`ViewTransform::centre_tx`].
    pub centre_ty: f64,
    /// Upright-frame pixels to view coordinates, virtual camera included:
    /// `view = frame_scale * p + (frame_x, frame_y)` (the ball marker).
    pub frame_scale: f64,
    /// See [`ViewTransform::frame_scale`].
    pub frame_x: f64,
    /// See [`ViewTransform::frame_scale`].
    pub frame_y: f64,
    /// The part of the upright frame the view shows, frame pixels.
    pub shown: Rect,
}

impl ViewTransform {
    /// Upright-frame point to view coordinates.
    pub fn frame_to_view(&self, x: f64, y: f64) -> (f64, f64) {
        (
            self.frame_scale * x + self.frame_x,
            self.frame_scale * y + self.frame_y,
        )
    }

    /// View point to upright-frame coordinates (the inverse of [`ViewTransform::frame_to_view`]).
    pub fn view_to_frame(&self, x: f64, y: f64) -> (f64, f64) {
        (
            (x - self.frame_x) / self.frame_scale,
            (y - self.frame_y) / self.frame_scale,
        )
    }
}

/// The translation along one axis that centres `centre` (scaled content coordinates) in a view
/// of length `view`, clamped so that the visible content `[lo, hi]` (scaled) still covers it.
fn clamp_axis(centre: f64, view: f64, lo: f64, hi: f64) -> f64 {
    // The content spans [lo + t, hi + t]; it must cover [0, view].
    let t_min = view - hi;
    let t_max = -lo;
    let t = view * HALF - centre;
    let t = if t_min > t_max {
        // Rounding only (the scale covers the view): centre the content.
        (t_min + t_max) * HALF
    } else {
        t.clamp(t_min, t_max)
    };
    // `+ 0.0` turns -0.0 into 0.0, so transforms compare equal.
    t + 0.0
}

/// The virtual camera that shows `crop` (upright-frame pixels) on a view of `view` size whose
/// preview scales the frame with `mode`; `crop: None` is the plain preview (the whole frame as
/// the preview shows it, no virtual camera: the overlay mode).
///
/// Errors name the bad frame size, view size or crop (non-finite, empty, or not overlapping the
/// frame). A crop reaching past the frame is cut to it first.
pub fn view_transform(
    frame: FrameGeometry,
    view: ViewSize,
    mode: ScaleMode,
    crop: Option<Rect>,
) -> Result<ViewTransform, ViewError> {
    frame.validate("frame")?;
    view.validate()?;
    let (fw, fh) = frame.upright_size();
    let (fw, fh) = (f64::from(fw), f64::from(fh));
    let whole = Rect {
        x: 0.0,
        y: 0.0,
        width: fw,
        height: fh,
    };
    let (vw, vh) = (view.width, view.height);
    // The preview's own scaling, then its clipping to the view's bounds.
    let base = match mode {
        ScaleMode::Fill => (vw / fw).max(vh / fh),
        ScaleMode::Fit => (vw / fw).min(vh / fh),
    };
    let (ox, oy) = ((vw - fw * base) * HALF, (vh - fh * base) * HALF);
    let content = Rect {
        x: ox,
        y: oy,
        width: fw * base,
        height: fh * base,
    };
    let bounds = Rect {
        x: 0.0,
        y: 0.0,
        width: vw,
        height: vh,
    };
    let visible = content.intersect(&bounds);
    let (scale, tx, ty) = match crop {
        None => (1.0, 0.0, 0.0),
        Some(c) => {
            let finite = [c.x, c.y, c.width, c.height].iter().all(|v| v.is_finite());
            let inside = whole.intersect(&c);
            if !finite
                || c.width <= 0.0
                || c.height <= 0.0
                || inside.width <= 0.0
                || inside.height <= 0.0
            {
                return Err(ViewError::BadCrop {
                    x: c.x,
                    y: c.y,
                    width: c.width,
                    height: c.height,
                    frame_width: fw,
                    frame_height: fh,
                });
            }
            // The crop fills the view, and the visible content must cover it.
            let fill = (vw / (inside.width * base)).max(vh / (inside.height * base));
            let cover = (vw / visible.width).max(vh / visible.height);
            let scale = fill.max(cover);
            let cx = (inside.x + inside.width * HALF) * base + ox;
            let cy = (inside.y + inside.height * HALF) * base + oy;
            let tx = clamp_axis(scale * cx, vw, scale * visible.x, scale * visible.right());
            let ty = clamp_axis(scale * cy, vh, scale * visible.y, scale * visible.bottom());
            (scale, tx, ty)
        }
    };
    let frame_scale = scale * base;
    let frame_x = scale * ox + tx;
    let frame_y = scale * oy + ty;
    // The view's rectangle in frame pixels, cut to what the preview shows of the frame.
    let in_frame = Rect {
        x: -frame_x / frame_scale,
        y: -frame_y / frame_scale,
        width: vw / frame_scale,
        height: vh / frame_scale,
    };
    let visible_in_frame = Rect {
        x: (visible.x - ox) / base,
        y: (visible.y - oy) / base,
        width: visible.width / base,
        height: visible.height / base,
    };
    Ok(ViewTransform {
        view,
        scale,
        tx,
        ty,
        centre_tx: tx + (scale - 1.0) * vw * HALF,
        centre_ty: ty + (scale - 1.0) * vh * HALF,
        frame_scale,
        frame_x,
        frame_y,
        shown: in_frame.intersect(&visible_in_frame).intersect(&whole),
    })
}

/// The clockwise rotation that makes a camera buffer upright on the display (what CameraX
/// reports as `rotationDegrees`; what an iOS shell passes for the back camera with
/// `sensor_degrees = 90`): `sensor_degrees` is the camera sensor's orientation (clockwise
/// degrees from the device's natural orientation; Android `SENSOR_ORIENTATION`), and
/// `display_degrees` the display's rotation from its natural orientation (Android
/// `Surface.ROTATION_*` in degrees; iOS: portrait 0, landscapeRight 90, portraitUpsideDown 180,
/// landscapeLeft 270). A front camera is mirrored, so its angles add.
pub fn buffer_rotation(
    sensor_degrees: i32,
    display_degrees: i32,
    front_facing: bool,
) -> Result<Rotation, ViewError> {
    let check = |what: &'static str, degrees: i32| {
        Rotation::from_degrees(degrees).ok_or(ViewError::BadRotation { what, degrees })
    };
    let sensor = check("sensor", sensor_degrees)?.degrees();
    let display = check("display", display_degrees)?.degrees();
    let sum = if front_facing {
        sensor + display
    } else {
        sensor + crate::view::FULL_TURN_DEGREES - display
    };
    // Both are multiples of 90, so the sum is too.
    Rotation::from_degrees((sum % crate::view::FULL_TURN_DEGREES) as i32).ok_or(
        ViewError::BadRotation {
            what: "sensor and display",
            degrees: sum as i32,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPS: f64 = 1e-6;

    fn geometry(width: u32, height: u32, rotation: Rotation) -> FrameGeometry {
        FrameGeometry {
            width,
            height,
            rotation,
        }
    }

    fn size(width: f64, height: f64) -> ViewSize {
        ViewSize { width, height }
    }

    fn rect(x: f64, y: f64, width: f64, height: f64) -> Rect {
        Rect {
            x,
            y,
            width,
            height,
        }
    }

    fn near(a: f64, b: f64) -> bool {
        (a - b).abs() <= EPS * (1.0 + a.abs().max(b.abs()))
    }

    #[test]
    fn same_size_centred_half_crop_doubles() {
        // 1280x720 on 1280x720: base 1. A 640x360 crop at (320, 180) -> scale 2, and its centre
        // (640, 360) lands on the view centre: t = 640 - 2 * 640 = -640, -360.
        let t = view_transform(
            geometry(1280, 720, Rotation::Deg0),
            size(1280.0, 720.0),
            ScaleMode::Fit,
            Some(rect(320.0, 180.0, 640.0, 360.0)),
        )
        .unwrap();
        assert!(
            near(t.scale, 2.0) && near(t.tx, -640.0) && near(t.ty, -360.0),
            "{t:?}"
        );
        assert_eq!(t.frame_to_view(320.0, 180.0), (0.0, 0.0));
        assert_eq!(t.frame_to_view(960.0, 540.0), (1280.0, 720.0));
        assert_eq!(t.shown, rect(320.0, 180.0, 640.0, 360.0));
        // About the centre: tx + (s - 1) * w / 2 = -640 + 640 = 0.
        assert!(near(t.centre_tx, 0.0) && near(t.centre_ty, 0.0));
    }

    #[test]
    fn portrait_phone_crop_at_the_left_edge_shows_no_black() {
        // The example: a 1080x2340 portrait view, a 720x1280 upright frame, a crop at
        // x = 0. Fill: base = max(1080/720, 2340/1280) = 1.828125, the frame is 1316.25 wide in
        // the view, 118.125 cut on each side; the crop's left edge is out of reach, so the view
        // starts at the first visible frame column, 118.125 / 1.828125 = 64.6 px.
        let frame = geometry(1280, 720, Rotation::Deg90);
        let view = size(1080.0, 2340.0);
        // The engine's crop of the view's aspect: 1280 high, 1280 * 1080 / 2340 = 590.8 wide.
        let crop = rect(0.0, 0.0, 1280.0 * 1080.0 / 2340.0, 1280.0);
        let fill = view_transform(frame, view, ScaleMode::Fill, Some(crop)).unwrap();
        assert!(fill.shown.x >= 118.125 / 1.828125 - EPS, "{fill:?}");
        let (left, _) = fill.frame_to_view(fill.shown.x, 0.0);
        assert!(near(left, 0.0), "black edge of {left}");
        // Fit: base = min(1.5, 1.828125) = 1.5, the crop fills the view: scale =
        // 2340 / (1280 * 1.5) = 1.21875, its top-left corner on the view's.
        let fit = view_transform(frame, view, ScaleMode::Fit, Some(crop)).unwrap();
        assert!(near(fit.scale, 1.21875), "{fit:?}");
        let (x0, y0) = fit.frame_to_view(0.0, 0.0);
        assert!(near(x0, 0.0) && near(y0, 0.0), "{x0},{y0}");
        assert!(fit.shown.x >= -EPS && fit.shown.y >= -EPS);
    }

    #[test]
    fn crop_in_a_corner_is_clamped_inside_the_frame() {
        // A crop hanging off the top-left corner is cut to the frame (590x340 at the corner),
        // which then fills the view: scale max(1280/590, 720/340) = 2.1695, its left edge on the
        // view's, its 737.6 px of height centred on the view's 720.
        let t = view_transform(
            geometry(1280, 720, Rotation::Deg0),
            size(1280.0, 720.0),
            ScaleMode::Fit,
            Some(rect(-50.0, -20.0, 640.0, 360.0)),
        )
        .unwrap();
        assert!(near(t.scale, 1280.0 / 590.0) && near(t.tx, 0.0), "{t:?}");
        assert!(near(t.ty, (720.0 - 340.0 * 1280.0 / 590.0) / 2.0), "{t:?}");
        assert!(
            t.shown.x == 0.0 && t.shown.y > 0.0 && t.shown.bottom() < 340.0,
            "{t:?}"
        );
        let far = view_transform(
            geometry(1280, 720, Rotation::Deg0),
            size(1280.0, 720.0),
            ScaleMode::Fit,
            Some(rect(1000.0, 600.0, 640.0, 360.0)),
        )
        .unwrap();
        // The cut crop is 280x120 at (1000, 600): scale max(1280/280, 720/120) = 6; its height
        // is the view's (the frame's bottom edge on the view's), its centre x 1140 on the view's
        // centre: frame x 1140 -+ 1280 / 12 = 1033.3..1246.7 is shown.
        assert!(near(far.scale, 6.0), "{far:?}");
        let (_, y1) = far.frame_to_view(1280.0, 720.0);
        assert!(near(y1, 720.0), "{y1}");
        assert!(near(far.shown.x, 1140.0 - 1280.0 / 12.0), "{far:?}");
        assert!(near(far.shown.width, 1280.0 / 6.0) && near(far.shown.bottom(), 720.0));
    }

    #[test]
    fn no_crop_is_the_plain_preview() {
        // Fit, 1280x720 into 1080x2340: base 0.84375, letterboxed: oy = (2340 - 607.5) / 2.
        let t = view_transform(
            geometry(1280, 720, Rotation::Deg0),
            size(1080.0, 2340.0),
            ScaleMode::Fit,
            None,
        )
        .unwrap();
        assert_eq!((t.scale, t.tx, t.ty), (1.0, 0.0, 0.0));
        assert!(
            near(t.frame_scale, 0.84375) && near(t.frame_y, 866.25),
            "{t:?}"
        );
        assert_eq!(t.shown, rect(0.0, 0.0, 1280.0, 720.0));
    }

    #[test]
    fn a_crop_larger_than_the_frame_never_zooms_out() {
        let t = view_transform(
            geometry(1280, 720, Rotation::Deg0),
            size(1280.0, 720.0),
            ScaleMode::Fill,
            Some(rect(0.0, 0.0, 4000.0, 3000.0)),
        )
        .unwrap();
        assert!(near(t.scale, 1.0), "{t:?}");
    }

    #[test]
    fn bad_inputs_are_named() {
        let g = geometry(1280, 720, Rotation::Deg0);
        let v = size(100.0, 100.0);
        let e = view_transform(geometry(0, 720, Rotation::Deg0), v, ScaleMode::Fit, None);
        assert!(e.unwrap_err().to_string().contains("frame size 0x720"));
        let e = view_transform(g, size(f64::NAN, 1.0), ScaleMode::Fit, None);
        assert!(e.unwrap_err().to_string().contains("view size NaN"));
        let e = view_transform(g, v, ScaleMode::Fit, Some(rect(0.0, 0.0, 0.0, 10.0)));
        assert!(e.unwrap_err().to_string().contains("crop 0,0 0x10"));
        let e = view_transform(g, v, ScaleMode::Fit, Some(rect(2000.0, 0.0, 10.0, 10.0)));
        assert!(e.unwrap_err().to_string().contains("overlap"));
        let e = view_transform(
            g,
            v,
            ScaleMode::Fit,
            Some(rect(0.0, f64::INFINITY, 1.0, 1.0)),
        );
        assert!(e.is_err());
    }

    #[test]
    fn rotations_round_trip_through_buffer_fractions() {
        for rotation in [
            Rotation::Deg0,
            Rotation::Deg90,
            Rotation::Deg180,
            Rotation::Deg270,
        ] {
            let g = geometry(640, 480, rotation);
            let (fx, fy) = g.upright_to_buffer_fraction(10.0, 20.0);
            let (x, y) = g.buffer_fraction_to_upright(fx, fy);
            assert!(near(x, 10.0) && near(y, 20.0), "{rotation:?}: {x},{y}");
        }
        // 90°: buffer (0, 0) (top-left) is the upright top-right corner (480, 0).
        let g = geometry(640, 480, Rotation::Deg90);
        assert_eq!(g.buffer_fraction_to_upright(0.0, 0.0), (480.0, 0.0));
        assert_eq!(g.upright_size(), (480, 640));
    }

    #[test]
    fn buffer_rotation_follows_the_display() {
        // Back camera, sensor at 90 (the usual phone): portrait 90, landscape (display 90) 0,
        // upside down 270, the other landscape 180.
        let r = |s, d, f| buffer_rotation(s, d, f).unwrap().degrees();
        assert_eq!(
            [
                r(90, 0, false),
                r(90, 90, false),
                r(90, 180, false),
                r(90, 270, false)
            ],
            [90, 0, 270, 180]
        );
        // Front camera, sensor at 270: (270 + 90) % 360 = 0.
        assert_eq!(r(270, 90, true), 0);
        assert!(buffer_rotation(45, 0, false)
            .unwrap_err()
            .to_string()
            .contains("45"));
    }
}
