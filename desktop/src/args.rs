//! Argument types that several commands share: a frame size `WIDTHxHEIGHT` (`camera
//! --resolution`, `profile --resolution`).

use serde::Serialize;

/// A frame size `WIDTHxHEIGHT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Size {
    pub width: u32,
    pub height: u32,
}

impl std::str::FromStr for Size {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not a size: expected WIDTHxHEIGHT, e.g. 1920x1080");
        let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
        let width: u32 = w.trim().parse().map_err(|_| bad())?;
        let height: u32 = h.trim().parse().map_err(|_| bad())?;
        if width == 0 || height == 0 {
            return Err(bad());
        }
        Ok(Size { width, height })
    }
}

impl std::fmt::Display for Size {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}x{}", self.width, self.height)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_print() {
        let s: Size = "1920x1080".parse().unwrap();
        assert_eq!(
            s,
            Size {
                width: 1920,
                height: 1080
            }
        );
        assert_eq!(s.to_string(), "1920x1080");
        assert_eq!(
            " 640 X 480 ".parse::<Size>(),
            Ok(Size {
                width: 640,
                height: 480
            })
        );
        assert!("0x10".parse::<Size>().is_err());
        assert!("1920".parse::<Size>().is_err());
    }
}
