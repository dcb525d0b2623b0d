//! How the whole image is lit on top of its scene's own look: an option of the clip spec for
//! domains the shipped detector meets in the field but the default clips do not show (a night
//! match under weak floodlights). [`Light::Scene`], the default, leaves every frame exactly as
//! the scene renders it.

use crate::rng::{hash3, hash_unit};

/// Night: the whole image (pitch, stands, players and ball) is scaled to this share of its
/// light ...
const NIGHT_GAIN: f32 = 0.3;
/// ... through this colour cast (sodium-free LED floodlights at low exposure read blue) ...
const NIGHT_TINT: [f32; 3] = [0.8, 0.95, 1.25];
/// ... with sensor noise of a high ISO: uniform, +- this many 8-bit levels per channel.
const NIGHT_NOISE: f32 = 7.0;
/// Stream tag of the night noise.
const NIGHT_NOISE_TAG: u64 = 0x4E;

/// The lighting of a clip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Light {
    /// As the scene is scripted (byte-identical to clips rendered before the option existed).
    #[default]
    Scene,
    /// A night match: the image dimmed to 30% with a blue cast and the grain of a high sensor
    /// gain (deterministic per seed and frame).
    Night,
}

impl Light {
    /// Applies the lighting to a rendered RGB8 frame in place.
    pub fn apply(self, rgb: &mut [u8], seed: u64, frame: u32) {
        match self {
            Light::Scene => {}
            Light::Night => {
                for (i, v) in rgb.iter_mut().enumerate() {
                    let tint = NIGHT_TINT[i % NIGHT_TINT.len()];
                    let h = hash3(seed ^ NIGHT_NOISE_TAG, u64::from(frame), i as u64);
                    let noise = (hash_unit(h) as f32 * 2.0 - 1.0) * NIGHT_NOISE;
                    let lit = f32::from(*v) * NIGHT_GAIN * tint + noise;
                    *v = lit.round().clamp(0.0, 255.0) as u8;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scene_light_changes_nothing_and_night_darkens() {
        let original: Vec<u8> = (0..300).map(|i| (i % 256) as u8).collect();
        let mut img = original.clone();
        Light::Scene.apply(&mut img, 1, 0);
        assert_eq!(img, original);
        Light::Night.apply(&mut img, 1, 0);
        let mean = |v: &[u8]| v.iter().map(|&x| f64::from(x)).sum::<f64>() / v.len() as f64;
        assert!(mean(&img) < 0.5 * mean(&original));
        let mut again = original.clone();
        Light::Night.apply(&mut again, 1, 0);
        assert_eq!(again, img, "deterministic");
    }
}
