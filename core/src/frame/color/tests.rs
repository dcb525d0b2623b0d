//! Tests of the BT.601 conversion (`color.rs`).

use super::*;

/// `round(256 * coefficient * scale)` of a row of the `f64` matrix.
fn fixed_row(row: [f64; 3], scale: f64) -> [i32; 3] {
    row.map(|k| (k * scale * 256.0).round() as i32)
}

#[test]
fn fixed_point_coefficients_are_the_float_matrix_scaled_and_rounded() {
    let (kr, kg, kb) = (f64::from(KR), f64::from(KG), f64::from(KB));
    let (r_cr, b_cb) = (f64::from(R_CR), f64::from(B_CB));
    assert!((kr + kg + kb - 1.0).abs() < 1e-6);
    assert!((r_cr - 2.0 * (1.0 - kr)).abs() < 1e-6);
    assert!((b_cb - 2.0 * (1.0 - kb)).abs() < 1e-6);
    assert!((f64::from(G_CB) - 2.0 * kb * (1.0 - kb) / kg).abs() < 1e-5);
    assert!((f64::from(G_CR) - 2.0 * kr * (1.0 - kr) / kg).abs() < 1e-5);
    // Cb = (B - Y) / B_CB and Cr = (R - Y) / R_CR as rows over R, G, B.
    let y = [kr, kg, kb];
    let cb = [-kr / b_cb, -kg / b_cb, (1.0 - kb) / b_cb];
    let cr = [(1.0 - kr) / r_cr, -kg / r_cr, -kb / r_cr];
    let max = f64::from(MAX_SAMPLE);
    let (ys, cs) = (
        f64::from(LIMITED_Y_EXCURSION) / max,
        f64::from(LIMITED_C_EXCURSION) / max,
    );
    assert_eq!(LIMITED_FIXED.y, fixed_row(y, ys));
    assert_eq!(LIMITED_FIXED.cb, fixed_row(cb, cs));
    assert_eq!(LIMITED_FIXED.cr, fixed_row(cr, cs));
    assert_eq!(FULL_FIXED.y, fixed_row(y, 1.0));
    assert_eq!(FULL_FIXED.cb, fixed_row(cb, 1.0));
    assert_eq!(FULL_FIXED.cr, fixed_row(cr, 1.0));
}

#[test]
fn known_values() {
    let limited = RgbToYuv::new(ColorRange::Limited);
    // Red, limited: Y = ((66 * 255 + 128) >> 8) + 16 = 82; U = ((-38 * 255 + 128) >> 8) + 128
    // = -38 + 128 = 90 (the shift floors); V = ((112 * 255 + 128) >> 8) + 128 = 240.
    assert_eq!(limited.luma(255, 0, 0), 82);
    assert_eq!(limited.chroma(255, 0, 0), (90, 240));
    // Black and white are 16 and 235 with neutral chroma.
    assert_eq!(limited.luma(0, 0, 0), 16);
    assert_eq!(limited.luma(255, 255, 255), 235);
    assert_eq!(limited.chroma(255, 255, 255), (128, 128));
    let full = RgbToYuv::new(ColorRange::Full);
    // Red, full: Y = (77 * 255 + 128) >> 8 = 77; U = ((-43 * 255 + 128) >> 8) + 128 = 85;
    // V = ((128 * 255 + 128) >> 8) + 128 = 256, clamped to 255.
    assert_eq!(full.luma(255, 0, 0), 77);
    assert_eq!(full.chroma(255, 0, 0), (85, 255));
    assert_eq!(full.luma(255, 255, 255), 255);
    // Decode, limited: 16 / 235 grey are black / white; (82, 90, 240):
    // luma = 66 * 255/219 = 76.85, cb = -38 * 255/224 = -43.26, cr = 112 * 255/224 = 127.5;
    // R = 76.85 + 1.402 * 127.5 = 255.6 -> 255, G = 76.85 + 14.89 - 91.05 = 0.69 -> 1,
    // B = 76.85 - 76.66 = 0.19 -> 0.
    assert_eq!(rgb_from_yuv(16, 128, 128, ColorRange::Limited), [0, 0, 0]);
    assert_eq!(rgb_from_yuv(235, 128, 128, ColorRange::Limited), [255; 3]);
    assert_eq!(rgb_from_yuv(82, 90, 240, ColorRange::Limited), [255, 1, 0]);
    assert_eq!(rgb_from_yuv(200, 128, 128, ColorRange::Full), [200; 3]);
}

#[test]
fn round_trips_both_ranges_and_both_forms() {
    for range in [ColorRange::Limited, ColorRange::Full] {
        let (enc, dec) = (RgbToYuv::new(range), YuvToRgb::new(range));
        for r in (0..=255u8).step_by(15) {
            for g in (0..=255u8).step_by(17) {
                for b in (0..=255u8).step_by(51) {
                    let y = enc.luma(r, g, b);
                    let (u, v) = enc.chroma(r, g, b);
                    let back = dec.rgb(y, u, v);
                    let [fy, fu, fv] = RgbToYuv::ycbcr(f32::from(r), f32::from(g), f32::from(b));
                    let codes = [enc.luma_code(fy), enc.chroma_code(fu), enc.chroma_code(fv)];
                    // The fixed-point and float encoders agree within one code.
                    for (p, q) in [y, u, v].iter().zip(codes) {
                        assert!(p.abs_diff(q) <= 1, "{range:?} {r} {g} {b}: {p} vs {q}");
                    }
                    // Limited range loses a little precision (219 / 224 codes for 256 values).
                    for (p, q) in [r, g, b].iter().zip(back) {
                        assert!(p.abs_diff(q) <= 4, "{range:?} {r} {g} {b}: {back:?}");
                    }
                }
            }
        }
    }
}
