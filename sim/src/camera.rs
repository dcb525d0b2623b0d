//! A pinhole camera on a tripod behind the near touchline, with projection and ground rays.
//!
//! World frame: metres, x along the near touchline, y away from the camera across the pitch,
//! z up; the pitch is the rectangle [0, PITCH_LENGTH] x [0, PITCH_WIDTH] on z = 0.

use crate::math::{clampf, v2, v3, V2, V3};

/// Smallest camera depth used when projecting (points behind the camera are pushed here).
pub const MIN_DEPTH: f64 = 0.05;
/// Rays flatter than this (|dir.z|) never reach the ground.
const GROUND_RAY_EPS: f64 = 1e-6;
/// Fixed-point iterations when solving the camera tilt.
const TILT_ITERATIONS: usize = 16;
/// Tilt limits (radians below horizontal).
const MIN_TILT: f64 = 0.02;
const MAX_TILT: f64 = 1.3;

/// Where a world point lands in the image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    pub u: f64,
    pub v: f64,
    /// Distance along the optical axis (metres), at least [`MIN_DEPTH`].
    pub depth: f64,
}

/// Intrinsics and pose of the camera.
#[derive(Debug, Clone)]
pub struct Camera {
    pub pos: V3,
    pub right: V3,
    pub down: V3,
    pub fwd: V3,
    /// Focal length in pixels.
    pub f: f64,
    pub width: f64,
    pub height: f64,
}

/// How a camera is set up, in human terms.
#[derive(Debug, Clone, Copy)]
pub struct CameraSetup {
    /// Camera x (along the touchline).
    pub x: f64,
    /// Distance behind the near touchline (camera y = -back).
    pub back: f64,
    /// Height of the lens above the ground.
    pub height: f64,
    /// Pan (radians, positive turns towards +x).
    pub yaw: f64,
    /// Roll (radians).
    pub roll: f64,
    /// Image row of the far touchline straight ahead, as a fraction of the height.
    pub far_line_frac: f64,
    /// Metres of ground visible across the image at the image centre.
    pub view_width_m: f64,
}

impl Camera {
    /// A camera from its setup, solving tilt and focal length together.
    pub fn from_setup(s: &CameraSetup, width: u32, height: u32, far_line_y: f64) -> Camera {
        let w = f64::from(width.max(1));
        let h = f64::from(height.max(1));
        let cam_h = s.height.max(0.5);
        let alpha_far = (cam_h / (far_line_y + s.back.max(0.0))).atan();
        let mut tilt = alpha_far + 0.1;
        let mut f = w;
        for _ in 0..TILT_ITERATIONS {
            let dist = cam_h / tilt.sin().max(1e-3);
            f = w * dist / s.view_width_m.max(1.0);
            tilt = clampf(
                alpha_far - ((s.far_line_frac * h - h / 2.0) / f).atan(),
                MIN_TILT,
                MAX_TILT,
            );
        }
        let pos = v3(s.x, -s.back, cam_h);
        Camera::oriented(pos, s.yaw, tilt, s.roll, f, w, h)
    }

    /// A camera at `pos` turned by `yaw`, tilted down by `tilt`, rolled by `roll`.
    pub fn oriented(pos: V3, yaw: f64, tilt: f64, roll: f64, f: f64, w: f64, h: f64) -> Camera {
        let fwd = v3(yaw.sin() * tilt.cos(), yaw.cos() * tilt.cos(), -tilt.sin());
        let right0 = v3(fwd.y, -fwd.x, 0.0).norm();
        let down0 = fwd.cross(right0);
        let (sr, cr) = roll.sin_cos();
        let right = right0 * cr + down0 * sr;
        let down = down0 * cr - right0 * sr;
        Camera {
            pos,
            right,
            down,
            fwd,
            f,
            width: w,
            height: h,
        }
    }

    /// Image position and depth of a world point.
    pub fn project(&self, p: V3) -> Projection {
        let d = p - self.pos;
        let depth = d.dot(self.fwd).max(MIN_DEPTH);
        Projection {
            u: self.width / 2.0 + self.f * d.dot(self.right) / depth,
            v: self.height / 2.0 + self.f * d.dot(self.down) / depth,
            depth,
        }
    }

    /// World direction (not normalised, unit forward component) through image point (u, v).
    pub fn ray(&self, u: f64, v: f64) -> V3 {
        let a = (u - self.width / 2.0) / self.f;
        let b = (v - self.height / 2.0) / self.f;
        self.fwd + self.right * a + self.down * b
    }

    /// Ground point seen at image point (u, v), if the ray goes down.
    pub fn ground_at(&self, u: f64, v: f64) -> Option<V2> {
        let d = self.ray(u, v);
        if d.z > -GROUND_RAY_EPS {
            return None;
        }
        let t = -self.pos.z / d.z;
        Some(v2(self.pos.x + t * d.x, self.pos.y + t * d.y))
    }

    /// Ground point at image fractions (fu, fv), falling back to a point ahead of the camera.
    pub fn ground_at_frac(&self, fu: f64, fv: f64) -> V2 {
        self.ground_at(fu * self.width, fv * self.height)
            .unwrap_or_else(|| v2(self.pos.x, self.pos.y + self.pos.z * 4.0))
    }

    /// Pixels per metre for an object at this depth.
    pub fn px_per_m(&self, depth: f64) -> f64 {
        self.f / depth.max(MIN_DEPTH)
    }

    /// The camera's ground position.
    pub fn ground_pos(&self) -> V2 {
        self.pos.xy()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_and_unproject_agree() {
        let setup = CameraSetup {
            x: 52.5,
            back: 10.0,
            height: 8.0,
            yaw: 0.1,
            roll: 0.01,
            far_line_frac: 0.3,
            view_width_m: 35.0,
        };
        let cam = Camera::from_setup(&setup, 1280, 720, 68.0);
        let g = cam.ground_at(400.0, 500.0).unwrap_or_default();
        let p = cam.project(g.at(0.0));
        assert!((p.u - 400.0).abs() < 1e-6 && (p.v - 500.0).abs() < 1e-6);
        // The far touchline straight ahead is near the requested row.
        let far = cam.project(v3(52.5 + 78.0 * 0.1f64.tan(), 68.0, 0.0));
        assert!((far.v / 720.0 - 0.3).abs() < 0.08, "far line at {}", far.v);
    }
}
