//! A minimal PNG encoder for the exported captures: 8-bit RGB, no filtering, stored (uncompressed)
//! deflate blocks. Dependency-free, so that the phone libraries can export a labelling queue; any
//! PNG reader (`ballcam`, OpenCV, an annotation tool) reads the files.

/// The PNG file signature.
const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
/// Largest payload of one stored deflate block.
const MAX_STORED_BLOCK: usize = 65_535;
/// zlib header: deflate, 32 KiB window, no preset dictionary, fastest (a multiple of 31).
const ZLIB_HEADER: [u8; 2] = [0x78, 0x01];
/// IHDR: bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace.
const IHDR_TAIL: [u8; 5] = [8, 2, 0, 0, 0];
/// Filter type byte at the start of every row: none.
const FILTER_NONE: u8 = 0;
/// Modulus of the Adler-32 checksum.
const ADLER_MOD: u32 = 65_521;
/// Reversed CRC-32 polynomial (ISO 3309).
const CRC_POLY: u32 = 0xEDB8_8320;
/// RGB channels.
const CHANNELS: usize = 3;

/// The CRC-32 table, computed at compile time.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                CRC_POLY ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
};

fn crc32(parts: &[&[u8]]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for part in parts {
        for &b in *part {
            c = CRC_TABLE[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
        }
    }
    c ^ 0xFFFF_FFFF
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&[kind, data]).to_be_bytes());
}

/// Encodes `rgb` (`width` x `height` x 3 bytes, rows top to bottom) as a PNG file; `None` when
/// the buffer is shorter than the size needs or a side is zero.
pub fn encode_rgb(rgb: &[u8], width: u32, height: u32) -> Option<Vec<u8>> {
    let row = (width as usize).checked_mul(CHANNELS)?;
    let needed = row.checked_mul(height as usize)?;
    if width == 0 || height == 0 || rgb.len() < needed {
        return None;
    }
    // Filtered scanlines: a filter byte, then the row.
    let mut raw = Vec::with_capacity(needed + height as usize);
    for line in rgb.get(..needed)?.chunks_exact(row) {
        raw.push(FILTER_NONE);
        raw.extend_from_slice(line);
    }
    let blocks = raw.len().div_ceil(MAX_STORED_BLOCK).max(1);
    let mut z = Vec::with_capacity(raw.len() + 5 * blocks + 6);
    z.extend_from_slice(&ZLIB_HEADER);
    let mut chunks = raw.chunks(MAX_STORED_BLOCK).peekable();
    while let Some(block) = chunks.next() {
        let last = chunks.peek().is_none();
        z.push(u8::from(last));
        let len = block.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % ADLER_MOD;
        b = (b + a) % ADLER_MOD;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut out = Vec::with_capacity(z.len() + 64);
    out.extend_from_slice(&SIGNATURE);
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&IHDR_TAIL);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_the_reference_value() {
        // CRC-32 of "123456789" (the standard check value).
        assert_eq!(crc32(&[b"123456789"]), 0xCBF4_3926);
    }

    #[test]
    fn structure_is_a_png() {
        let rgb: Vec<u8> = (0..4 * 3 * 3).map(|i| i as u8).collect();
        let png = encode_rgb(&rgb, 4, 3).expect("png");
        assert_eq!(&png[..8], &SIGNATURE);
        assert_eq!(&png[12..16], b"IHDR");
        assert_eq!(u32::from_be_bytes([png[16], png[17], png[18], png[19]]), 4);
        assert!(png.ends_with(&[0xAE, 0x42, 0x60, 0x82]), "IEND CRC");
        assert!(encode_rgb(&rgb, 5, 3).is_none());
        assert!(encode_rgb(&rgb, 0, 3).is_none());
        // A large image spans several stored blocks.
        let big = vec![7u8; 300 * 300 * 3];
        assert!(encode_rgb(&big, 300, 300).is_some_and(|p| p.len() > big.len()));
    }
}
