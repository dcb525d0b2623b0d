//! `--costs measured|fixed|FILE.json`: what the engine's scheduler is told each detector run
//! cost.
//!
//! Live use measures (the scheduler plans from real run times). Offline runs and evaluations
//! use fixed costs, so that the same input gives the same `track.csv` on any machine and under
//! any load: a cost per detector input size, from the model's work (proportional to the input's
//! pixels: the detector is fully convolutional) or from a table written by a profile of the
//! machine the figures should stand for.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use ballcam_core::testing::CostClass;
use ballcam_core::testing::CostModel;
use ballcam_core::InputSize;
use serde::{Deserialize, Serialize};

use crate::errors::bad_input;

/// Fixed cost of one detector run per input pixel, nanoseconds: the shipped model's
/// inference plus the conversion of its input on one core of the reference machine
/// (models/README.md, "Speed": about 1.1 ms at 192x192 and 4.2 ms at 288x512).
pub const FIXED_NS_PER_INPUT_PX: u64 = 30;
/// Fixed cost of one detector run on top of its pixels (plan dispatch, decoding), microseconds.
pub const FIXED_RUN_OVERHEAD_US: u64 = 60;
/// Nanoseconds per microsecond.
const NS_PER_US: u64 = 1_000;

/// Where detector costs come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Costs {
    /// The measured time of each run (live use).
    Measured,
    /// [`FIXED_RUN_OVERHEAD_US`] plus [`FIXED_NS_PER_INPUT_PX`] per input pixel.
    Fixed,
    /// A table of costs per input size (a JSON file, see [`CostTable`]).
    Table(PathBuf),
}

impl std::str::FromStr for Costs {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "measured" => Ok(Costs::Measured),
            "fixed" => Ok(Costs::Fixed),
            path if path.ends_with(".json") => Ok(Costs::Table(PathBuf::from(path))),
            other => Err(format!(
                "`{other}`: expected measured, fixed or a cost table FILE.json"
            )),
        }
    }
}

/// A cost table: microseconds per detector run for each input size (`"192x192": 1100`); a
/// size not in the table costs the table's highest rate per pixel times its pixels.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostTable {
    /// Input size `WxH` -> microseconds per run.
    pub costs_us: BTreeMap<String, u64>,
}

impl CostTable {
    /// Reads and checks a table file.
    pub fn read(path: &Path) -> Result<CostTable> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            bad_input(format!(
                "{}: cannot read the cost table: {e}",
                path.display()
            ))
        })?;
        let table: CostTable = serde_json::from_str(&text).map_err(|e| {
            bad_input(format!(
                "{}: not a cost table ({e}); expected {{\"costs_us\": {{\"192x192\": 1100, ...}}}}",
                path.display()
            ))
        })?;
        if table.costs_us.is_empty() {
            return Err(bad_input(format!(
                "{}: the cost table is empty",
                path.display()
            )));
        }
        for (size, us) in &table.costs_us {
            crate::input::parse_size(size)
                .map_err(|e| bad_input(format!("{}: {e}", path.display())))?;
            if *us == 0 {
                return Err(bad_input(format!(
                    "{}: {size} costs 0 us; every run costs something",
                    path.display()
                )));
            }
        }
        Ok(table)
    }

    /// Microseconds for one run at `input`.
    pub fn cost_us(&self, input: InputSize) -> u64 {
        if let Some(&us) = self
            .costs_us
            .get(&format!("{}x{}", input.width, input.height))
        {
            return us;
        }
        let pixels =
            |s: &str| crate::input::parse_size(s).map_or(1.0, |(w, h)| f64::from(w) * f64::from(h));
        let rate = self
            .costs_us
            .iter()
            .map(|(s, &us)| us as f64 / pixels(s))
            .fold(0.0, f64::max);
        (rate * f64::from(input.width) * f64::from(input.height)).round() as u64
    }
}

/// The fixed cost of one run at `input`, microseconds.
pub fn fixed_cost_us(input: InputSize) -> u64 {
    let pixels = u64::from(input.width) * u64::from(input.height);
    FIXED_RUN_OVERHEAD_US + pixels * FIXED_NS_PER_INPUT_PX / NS_PER_US
}

impl Costs {
    /// The engine's cost model for these costs (`None`: measure).
    pub fn model(&self) -> Result<Option<CostModel>> {
        Ok(match self {
            Costs::Measured => None,
            Costs::Fixed => Some(Box::new(|_: CostClass, input: InputSize| {
                fixed_cost_us(input)
            })),
            Costs::Table(path) => {
                let table = CostTable::read(path)?;
                Some(Box::new(move |_: CostClass, input: InputSize| {
                    table.cost_us(input)
                }))
            }
        })
    }

    /// How the costs are described in reports.
    pub fn describe(&self) -> String {
        match self {
            Costs::Measured => "measured".into(),
            Costs::Fixed => format!(
                "fixed ({FIXED_RUN_OVERHEAD_US} us + {FIXED_NS_PER_INPUT_PX} ns per input pixel)"
            ),
            Costs::Table(p) => format!("table {}", p.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_costs_grow_with_the_input() {
        // 60 us + 192*192 px * 30 ns = 60 + 1105.92 -> 1165 us (integer ns arithmetic).
        assert_eq!(fixed_cost_us(InputSize::new(192, 192)), 60 + 1105);
        assert!(fixed_cost_us(InputSize::new(512, 288)) > fixed_cost_us(InputSize::new(192, 192)));
    }

    #[test]
    fn a_table_answers_its_sizes_and_scales_the_others_by_pixels() {
        let mut t = CostTable::default();
        t.costs_us.insert("192x192".into(), 1_000);
        t.costs_us.insert("128x128".into(), 600);
        assert_eq!(t.cost_us(InputSize::new(192, 192)), 1_000);
        // Highest rate: 600 / 16384 px = 0.0366 us/px; 384x224 = 86016 px -> 3150 us.
        assert_eq!(t.cost_us(InputSize::new(384, 224)), 3_150);
    }

    #[test]
    fn costs_parse_from_the_command_line() {
        assert_eq!("fixed".parse::<Costs>(), Ok(Costs::Fixed));
        assert_eq!("measured".parse::<Costs>(), Ok(Costs::Measured));
        assert_eq!(
            "t.json".parse::<Costs>(),
            Ok(Costs::Table(PathBuf::from("t.json")))
        );
        assert!("fast".parse::<Costs>().is_err());
    }
}
