//! YUV4MPEG2 (`.y4m`) reading and writing, natively (no ffmpeg needed).
//!
//! Reads 8-bit `C420jpeg`, `C420paldv`, `C420mpeg2`, `C420`, `C422`, `C444`, `C444alpha`,
//! `C411` and `Cmono` streams (the default, with no `C` tag, is 4:2:0), converting to RGB8 with
//! BT.601 (limited range unless the stream says `XCOLORRANGE=FULL`). Writes `C420jpeg`
//! limited-range BT.601, which every player and ffmpeg read. The colour conversion both ways is
//! the core's (`ballcam_core::color`).
//!
//! The header parser is this file's own rather than the `y4m` crate's (0.8): that crate refuses
//! `C411` and `C444alpha` streams (`UnknownColorspace`), stops at a 1 KiB header (this reader
//! takes 4 KiB), allocates a frame from the header's size before the caller can check it, and
//! reports errors without naming the field ("Bad input parameters provided"); the messages
//! here name the field and value (the tests below).

use std::io::{BufRead, Read, Write};

use anyhow::{anyhow, Context, Result};
use ballcam_core::color::{RgbToYuv, YuvToRgb};
use ballcam_core::ColorRange;

/// The magic string that starts a Y4M stream.
pub const MAGIC: &str = "YUV4MPEG2";
/// The tag that starts every frame.
const FRAME_TAG: &[u8] = b"FRAME";
/// Longest header line accepted, bytes.
const MAX_HEADER: usize = 4096;
/// Largest frame side accepted (the engine's limit).
const MAX_SIDE: u32 = ballcam_core::MAX_FRAME_SIDE;
/// Highest frame rate accepted: timestamps are whole microseconds, and at most this rate keeps
/// consecutive frames at least 1 ms apart (a higher rate would repeat timestamps).
pub const MAX_FPS: f64 = 1000.0;
/// The chroma code of no colour (what a `Cmono` stream's chroma is).
const CHROMA_NEUTRAL: u8 = 128;

/// Chroma layout of a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chroma {
    /// Chroma subsampled by (x, y) factors.
    Sub(u32, u32),
    /// 4:4:4 plus an alpha plane (ignored).
    WithAlpha,
    /// Luma only.
    Mono,
}

impl Chroma {
    fn parse(tag: &str) -> Option<Chroma> {
        Some(match tag {
            "420jpeg" | "420paldv" | "420mpeg2" | "420" => Chroma::Sub(2, 2),
            "422" => Chroma::Sub(2, 1),
            "444" => Chroma::Sub(1, 1),
            "411" => Chroma::Sub(4, 1),
            "444alpha" => Chroma::WithAlpha,
            "mono" => Chroma::Mono,
            _ => return None,
        })
    }

    /// Chroma plane size for a `w` x `h` frame (0 x 0 for mono).
    fn plane_size(self, w: u32, h: u32) -> (usize, usize) {
        match self {
            Chroma::Sub(sx, sy) => (w.div_ceil(sx) as usize, h.div_ceil(sy) as usize),
            Chroma::WithAlpha => (w as usize, h as usize),
            Chroma::Mono => (0, 0),
        }
    }

    fn factors(self) -> (usize, usize) {
        match self {
            Chroma::Sub(sx, sy) => (sx as usize, sy as usize),
            Chroma::WithAlpha | Chroma::Mono => (1, 1),
        }
    }
}

/// A parsed stream header.
#[derive(Debug, Clone)]
pub struct Header {
    pub width: u32,
    pub height: u32,
    /// Frames per second (30 when the stream gives none or an invalid one).
    pub fps: f64,
    /// The header gave a valid frame rate (`F`).
    pub rate_given: bool,
    pub chroma: Chroma,
    pub full_range: bool,
    /// Bytes of the header line including its newline.
    pub header_len: usize,
}

impl Header {
    /// Bytes of one frame's planes.
    pub fn frame_bytes(&self) -> usize {
        let luma = self.width as usize * self.height as usize;
        let (cw, ch) = self.chroma.plane_size(self.width, self.height);
        match self.chroma {
            Chroma::Mono => luma,
            Chroma::WithAlpha => luma * 4,
            Chroma::Sub(..) => luma + 2 * cw * ch,
        }
    }
}

/// Default frame rate when a stream has none.
pub const DEFAULT_FPS: f64 = 30.0;

/// Parses the header line (without its newline).
pub fn parse_header(line: &str) -> Result<Header> {
    let mut tokens = line.split_ascii_whitespace();
    if tokens.next() != Some(MAGIC) {
        return Err(anyhow!(
            "not a YUV4MPEG2 stream (missing the {MAGIC} signature)"
        ));
    }
    let (mut width, mut height, mut fps, mut chroma, mut full_range) =
        (0u32, 0u32, DEFAULT_FPS, Chroma::Sub(2, 2), false);
    let mut rate_given = false;
    for token in tokens {
        let (Some(tag), Some(value)) = (token.get(..1), token.get(1..)) else {
            continue;
        };
        match tag {
            "W" => {
                width = value
                    .parse()
                    .map_err(|_| anyhow!("bad width `{value}` in the header"))?
            }
            "H" => {
                height = value
                    .parse()
                    .map_err(|_| anyhow!("bad height `{value}` in the header"))?
            }
            "F" => {
                let (n, d) = value
                    .split_once(':')
                    .ok_or_else(|| anyhow!("bad frame rate `{value}` in the header"))?;
                let (n, d): (f64, f64) = (
                    n.parse()
                        .map_err(|_| anyhow!("bad frame rate `{value}` in the header"))?,
                    d.parse()
                        .map_err(|_| anyhow!("bad frame rate `{value}` in the header"))?,
                );
                let rate = n / d;
                if n > 0.0 && d > 0.0 && rate.is_finite() {
                    if rate > MAX_FPS {
                        return Err(anyhow!(
                            "frame rate `F{value}` ({rate} fps) in the header is over {MAX_FPS} fps"
                        ));
                    }
                    fps = rate;
                    rate_given = true;
                }
            }
            "C" => {
                chroma = Chroma::parse(value).ok_or_else(|| {
                    anyhow!("colour space `C{value}` is not supported (8-bit 420, 422, 444, 411 or mono only)")
                })?;
            }
            "X" if value.eq_ignore_ascii_case("COLORRANGE=FULL") => full_range = true,
            _ => {}
        }
    }
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(anyhow!("bad frame size {width}x{height} in the header"));
    }
    Ok(Header {
        width,
        height,
        fps,
        rate_given,
        chroma,
        full_range,
        header_len: line.len() + 1,
    })
}

/// Reads frames of a Y4M stream as RGB8.
pub struct Reader<R: BufRead> {
    input: R,
    header: Header,
    planes: Vec<u8>,
}

impl<R: BufRead> Reader<R> {
    /// Reads and checks the header.
    pub fn new(mut input: R) -> Result<Reader<R>> {
        let line =
            read_line(&mut input)?.ok_or_else(|| anyhow!("empty file, no YUV4MPEG2 header"))?;
        let header = parse_header(&line)?;
        let planes = vec![0u8; header.frame_bytes()];
        Ok(Reader {
            input,
            header,
            planes,
        })
    }

    /// The stream's header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Reads the next frame into `rgb` (resized to `w * h * 3`); `false` at the end.
    pub fn read_rgb(&mut self, rgb: &mut Vec<u8>) -> Result<bool> {
        let Some(line) = read_line(&mut self.input)? else {
            return Ok(false);
        };
        if !line.as_bytes().starts_with(FRAME_TAG) {
            return Err(anyhow!(
                "expected a FRAME tag, found `{}`",
                line.chars().take(16).collect::<String>()
            ));
        }
        self.input
            .read_exact(&mut self.planes)
            .context("the last frame is truncated")?;
        let h = &self.header;
        yuv_to_rgb(&self.planes, h.width, h.height, h.chroma, h.full_range, rgb);
        Ok(true)
    }
}

/// Reads one `\n`-terminated line (without it); `None` at a clean end of file.
fn read_line<R: BufRead>(input: &mut R) -> Result<Option<String>> {
    let mut buf = Vec::new();
    let n = input
        .by_ref()
        .take(MAX_HEADER as u64)
        .read_until(b'\n', &mut buf)?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() != Some(&b'\n') {
        return Err(anyhow!(
            "a header line is truncated or longer than {MAX_HEADER} bytes"
        ));
    }
    buf.pop();
    String::from_utf8(buf)
        .map(Some)
        .map_err(|_| anyhow!("a header line is not text"))
}

/// Converts planar Y, U, V (as laid out in a Y4M frame) to packed RGB8.
fn yuv_to_rgb(planes: &[u8], w: u32, h: u32, chroma: Chroma, full_range: bool, rgb: &mut Vec<u8>) {
    let (w, h) = (w as usize, h as usize);
    rgb.resize(w * h * 3, 0);
    let (cw, ch) = chroma.plane_size(w as u32, h as u32);
    let (sx, sy) = chroma.factors();
    let (ys, rest) = planes.split_at(w * h);
    let (us, vs) = rest.split_at((cw * ch).min(rest.len()));
    let range = if full_range {
        ColorRange::Full
    } else {
        ColorRange::Limited
    };
    let colour = YuvToRgb::new(range);
    let neutral = CHROMA_NEUTRAL;
    for row in 0..h {
        for col in 0..w {
            let y = ys[row * w + col];
            let (u, v) = if chroma == Chroma::Mono {
                (neutral, neutral)
            } else {
                let ci = (row / sy) * cw + col / sx;
                (us[ci], vs[ci])
            };
            let o = (row * w + col) * 3;
            rgb[o..o + 3].copy_from_slice(&colour.rgb(y, u, v));
        }
    }
}

/// Writes RGB8 frames as a `C420jpeg` limited-range Y4M stream.
pub struct Writer<W: Write> {
    out: W,
    width: u32,
    height: u32,
    planes: Vec<u8>,
}

/// The frame rate as a `num:den` pair for the header.
fn fps_ratio(fps: f64) -> (u64, u64) {
    const DEN: u64 = 1000;
    let fps = if fps.is_finite() && fps > 0.0 {
        fps
    } else {
        DEFAULT_FPS
    };
    let num = (fps * DEN as f64).round() as u64;
    if num.is_multiple_of(DEN) {
        (num / DEN, 1)
    } else {
        (num, DEN)
    }
}

impl<W: Write> Writer<W> {
    /// Writes the header.
    pub fn new(mut out: W, width: u32, height: u32, fps: f64) -> Result<Writer<W>> {
        let (n, d) = fps_ratio(fps);
        writeln!(
            out,
            "{MAGIC} W{width} H{height} F{n}:{d} Ip A1:1 C420jpeg XYSCSS=420JPEG"
        )?;
        let (cw, ch) = (width.div_ceil(2) as usize, height.div_ceil(2) as usize);
        let planes = vec![0u8; width as usize * height as usize + 2 * cw * ch];
        Ok(Writer {
            out,
            width,
            height,
            planes,
        })
    }

    /// Writes one frame (`rgb` holds `width * height * 3` bytes).
    pub fn write_rgb(&mut self, rgb: &[u8]) -> Result<()> {
        let (w, h) = (self.width as usize, self.height as usize);
        if rgb.len() < w * h * 3 {
            return Err(anyhow!(
                "frame of {} bytes, expected {}",
                rgb.len(),
                w * h * 3
            ));
        }
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        let (ys, rest) = self.planes.split_at_mut(w * h);
        let (us, vs) = rest.split_at_mut(cw * ch);
        let enc = RgbToYuv::new(ColorRange::Limited);
        for row in 0..h {
            for col in 0..w {
                let o = (row * w + col) * 3;
                let (r, g, b) = (
                    f32::from(rgb[o]),
                    f32::from(rgb[o + 1]),
                    f32::from(rgb[o + 2]),
                );
                ys[row * w + col] = enc.luma_code(RgbToYuv::ycbcr(r, g, b)[0]);
            }
        }
        for crow in 0..ch {
            for ccol in 0..cw {
                let (mut u_sum, mut v_sum, mut n) = (0.0f32, 0.0f32, 0.0f32);
                for row in (crow * 2)..((crow * 2 + 2).min(h)) {
                    for col in (ccol * 2)..((ccol * 2 + 2).min(w)) {
                        let o = (row * w + col) * 3;
                        let (r, g, b) = (
                            f32::from(rgb[o]),
                            f32::from(rgb[o + 1]),
                            f32::from(rgb[o + 2]),
                        );
                        let [_, cb, cr] = RgbToYuv::ycbcr(r, g, b);
                        u_sum += cb;
                        v_sum += cr;
                        n += 1.0;
                    }
                }
                us[crow * cw + ccol] = enc.chroma_code(u_sum / n);
                vs[crow * cw + ccol] = enc.chroma_code(v_sum / n);
            }
        }
        self.out.write_all(b"FRAME\n")?;
        self.out.write_all(&self.planes)?;
        Ok(())
    }

    /// Flushes and returns the inner writer.
    pub fn finish(mut self) -> Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_is_close() {
        let (w, h) = (6u32, 4u32);
        // Constant within 2x2 blocks, so that chroma subsampling loses nothing.
        let rgb: Vec<u8> = (0..w * h)
            .flat_map(|i| {
                let block = (i / w / 2) * 3 + (i % w) / 2;
                [100u8, (block * 40) as u8, 50]
            })
            .collect();
        let mut writer = Writer::new(Vec::new(), w, h, 29.97).unwrap();
        writer.write_rgb(&rgb).unwrap();
        writer.write_rgb(&rgb).unwrap();
        let bytes = writer.finish().unwrap();
        assert!(bytes.starts_with(b"YUV4MPEG2 W6 H4 F29970:1000"));
        let mut reader = Reader::new(std::io::Cursor::new(bytes)).unwrap();
        assert!((reader.header().fps - 29.97).abs() < 1e-9);
        let mut out = Vec::new();
        assert!(reader.read_rgb(&mut out).unwrap());
        assert!(reader.read_rgb(&mut out).unwrap());
        assert!(!reader.read_rgb(&mut out).unwrap());
        // Constant 2x2 blocks survive chroma subsampling up to rounding.
        for (a, b) in rgb.chunks(3).zip(out.chunks(3)) {
            assert!(
                (i32::from(a[0]) - i32::from(b[0])).abs() <= 12,
                "{a:?} {b:?}"
            );
            assert!(
                (i32::from(a[2]) - i32::from(b[2])).abs() <= 12,
                "{a:?} {b:?}"
            );
        }
    }

    #[test]
    fn bad_headers_are_errors() {
        assert!(parse_header("YUV4MPEG3 W2 H2").is_err());
        assert!(parse_header("YUV4MPEG2 W0 H2").is_err());
        assert!(parse_header("YUV4MPEG2 W2 H2 C420p10").is_err());
        assert!(parse_header("YUV4MPEG2 Wx H2").is_err());
        let h = parse_header("YUV4MPEG2 W4 H2 C444 XCOLORRANGE=FULL").unwrap();
        assert_eq!(h.frame_bytes(), 24);
        assert!(h.full_range);
        // Beyond the engine's 8192 side (16384 was accepted).
        let e = parse_header("YUV4MPEG2 W16384 H16384").unwrap_err();
        assert!(e.to_string().contains("16384x16384"), "{e}");
        assert!(parse_header("YUV4MPEG2 W8192 H8192").is_ok());
        // 3,000,000 fps made timestamps of whole microseconds repeat (frame i at round(i / 3)).
        let e = parse_header("YUV4MPEG2 W4 H2 F3000000:1").unwrap_err();
        assert!(e.to_string().contains("F3000000:1"), "{e}");
        assert_eq!(parse_header("YUV4MPEG2 W4 H2 F1000:1").unwrap().fps, 1000.0);
        let truncated = b"YUV4MPEG2 W4 H2 C444\nFRAME\n\x01\x02".to_vec();
        let mut r = Reader::new(std::io::Cursor::new(truncated)).unwrap();
        assert!(r.read_rgb(&mut Vec::new()).is_err());
    }
}
