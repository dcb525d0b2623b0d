//! The `labels.csv` file format: reading, validating and writing ball labels, and filling the
//! frames between sparse keyframe labels with a kinematic fit. (The `ballcam label` command that
//! uses it is `label.rs`.)
//!
//! Format: a header `file,clip,frame_index,visible,x,y,w,h` (more columns allowed, e.g.
//! `propagated`, `confidence`), one row per frame in clip/frame_index order. `file` is relative
//! to the images folder; `visible` is 1 or 0 (empty: not labelled); `x`, `y` is the ball's
//! centre and `w`, `h` its box size in pixels of the stored image, empty when unknown.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::errors::bad_input;

/// Columns every labels.csv must have, in the order written.
pub const REQUIRED_COLUMNS: [&str; 8] =
    ["file", "clip", "frame_index", "visible", "x", "y", "w", "h"];
/// Optional column: 1 when the row was filled by `label propagate`.
pub const PROPAGATED_COLUMN: &str = "propagated";
/// Optional column: the model's confidence (from `label pseudo`).
pub const CONFIDENCE_COLUMN: &str = "confidence";
/// Decimals written for coordinates.
const COORD_DECIMALS: usize = 2;
/// Keys on each side of a gap used by the kinematic fit (two parabolas blended).
const FIT_KEYS_EACH_SIDE: usize = 2;
/// A gap's side fits that miss the far key by more than this many pixels suggest a kick or
/// stop inside the gap.
const KINK_MIN_PX: f64 = 1.0;
/// ... confirmed when the two fits meet inside the gap closer than this fraction of the miss.
const KINK_MEET_FRACTION: f64 = 0.5;
/// Time steps searched for where the fits meet.
const KINK_SEARCH_STEPS: usize = 100;
/// Most rows `label propagate` writes (all clips together): two hours at 60 fps. A clip whose
/// first and last `frame_index` lie further apart is refused rather than filled.
pub const MAX_PROPAGATED_ROWS: usize = 432_000;

/// One row of labels.csv.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LabelRow {
    pub file: String,
    pub clip: String,
    pub frame_index: u64,
    /// `None`: not labelled.
    pub visible: Option<bool>,
    pub x: Option<f64>,
    pub y: Option<f64>,
    pub w: Option<f64>,
    pub h: Option<f64>,
    pub propagated: Option<bool>,
    pub confidence: Option<f64>,
    /// Every other column, name and value as read (a capture queue's metadata: reason,
    /// episode, state, timestamp, region, model sha256 ...), written back as it was.
    pub extra: Vec<(String, String)>,
}

impl LabelRow {
    /// The label part of the row.
    pub fn truth(&self) -> Truth {
        Truth {
            visible: self.visible,
            x: self.x,
            y: self.y,
            w: self.w,
            h: self.h,
        }
    }

    /// A keyframe for propagation: labelled invisible, or visible with a position.
    fn is_key(&self) -> bool {
        match self.visible {
            Some(false) => true,
            Some(true) => self.x.is_some() && self.y.is_some(),
            None => false,
        }
    }
}

/// What is known about the ball in one frame (from labels or a renderer's ground truth).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Truth {
    /// `None`: unknown (the frame is not scored).
    pub visible: Option<bool>,
    pub x: Option<f64>,
    pub y: Option<f64>,
    pub w: Option<f64>,
    pub h: Option<f64>,
}

impl Truth {
    /// The centre, when the ball is visible and its position known.
    pub fn position(&self) -> Option<(f64, f64)> {
        match (self.visible, self.x, self.y) {
            (Some(true), Some(x), Some(y)) => Some((x, y)),
            _ => None,
        }
    }

    /// The ball's size in pixels (largest box side), when known.
    pub fn size(&self) -> Option<f64> {
        match (self.w, self.h) {
            (Some(w), Some(h)) => Some(w.max(h)),
            (Some(s), None) | (None, Some(s)) => Some(s),
            (None, None) => None,
        }
    }

    /// The same label in an image scaled by `sx`, `sy`.
    pub fn scaled(&self, sx: f64, sy: f64) -> Truth {
        Truth {
            visible: self.visible,
            x: self.x.map(|v| v * sx),
            y: self.y.map(|v| v * sy),
            w: self.w.map(|v| v * sx),
            h: self.h.map(|v| v * sy),
        }
    }
}

/// Reads and validates a labels.csv; every error names the file (and the line).
pub fn read_labels(path: &Path) -> Result<Vec<LabelRow>> {
    let name = path.display().to_string();
    let file =
        std::fs::File::open(path).map_err(|e| bad_input(format!("{name}: cannot open: {e}")))?;
    read_labels_from(file, &name)
}

/// [`read_labels`] keeping only the rows whose `file` lies under the folder `split` (e.g.
/// `valid` keeps `valid/…`): one split of a set whose labels.csv lists several.
pub fn read_labels_under(path: &Path, split: Option<&str>) -> Result<Vec<LabelRow>> {
    let name = path.display().to_string();
    let file =
        std::fs::File::open(path).map_err(|e| bad_input(format!("{name}: cannot open: {e}")))?;
    read_labels_from_under(file, &name, split)
}

/// Reads and validates labels.csv text from `input`; errors name the file as `name`.
pub fn read_labels_from(input: impl Read, name: &str) -> Result<Vec<LabelRow>> {
    read_labels_from_under(input, name, None)
}

/// [`read_labels_from`] keeping only the rows under the folder `split`.
fn read_labels_from_under(
    input: impl Read,
    name: &str,
    split: Option<&str>,
) -> Result<Vec<LabelRow>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(input);
    let headers = reader
        .headers()
        .map_err(|e| bad_input(format!("{name}: cannot read the header: {e}")))?
        .clone();
    let index_of = |col: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(col));
    let mut columns = [0usize; REQUIRED_COLUMNS.len()];
    let mut missing = Vec::new();
    for (slot, col) in columns.iter_mut().zip(REQUIRED_COLUMNS) {
        match index_of(col) {
            Some(i) => *slot = i,
            None => missing.push(col),
        }
    }
    if !missing.is_empty() {
        return Err(bad_input(format!(
            "{name}: missing column{} {} (expected header {})",
            if missing.len() > 1 { "s" } else { "" },
            missing.join(", "),
            REQUIRED_COLUMNS.join(",")
        )));
    }
    let propagated_col = index_of(PROPAGATED_COLUMN);
    let confidence_col = index_of(CONFIDENCE_COLUMN);
    let known: Vec<usize> = columns
        .iter()
        .copied()
        .chain(propagated_col)
        .chain(confidence_col)
        .collect();
    let extra_cols: Vec<(usize, String)> = headers
        .iter()
        .enumerate()
        .filter(|(i, _)| !known.contains(i))
        .map(|(i, name)| (i, name.to_string()))
        .collect();
    let [c_file, c_clip, c_index, c_visible, c_x, c_y, c_w, c_h] = columns;
    let mut rows = Vec::new();
    let mut last_in_clip: HashMap<String, u64> = HashMap::new();
    let mut previous_clip: Option<String> = None;
    for record in reader.records() {
        let record = record.map_err(|e| bad_input(format!("{name}: {e}")))?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or("");
        let bad = |col: &str, value: &str, expected: &str| {
            bad_input(format!(
                "{name} line {line}: bad {col} `{value}` (expected {expected})"
            ))
        };
        let number = |i: usize, col: &str, non_negative: bool| -> Result<Option<f64>> {
            let v = field(i);
            if v.is_empty() {
                return Ok(None);
            }
            match v.parse::<f64>() {
                Ok(n) if n.is_finite() && (!non_negative || n >= 0.0) => Ok(Some(n)),
                _ => Err(bad(
                    col,
                    v,
                    if non_negative {
                        "a number >= 0 or empty"
                    } else {
                        "a number or empty"
                    },
                )),
            }
        };
        let flag = |i: usize, col: &str| -> Result<Option<bool>> {
            match field(i) {
                "" => Ok(None),
                "1" | "true" | "TRUE" | "True" => Ok(Some(true)),
                "0" | "false" | "FALSE" | "False" => Ok(Some(false)),
                v => Err(bad(col, v, "1, 0 or empty")),
            }
        };
        let file = field(c_file).to_string();
        if file.is_empty() {
            return Err(bad_input(format!("{name} line {line}: empty file name")));
        }
        if let Some(split) = split {
            let under = file
                .strip_prefix(split)
                .is_some_and(|rest| rest.starts_with('/'));
            if !under {
                continue;
            }
        }
        let clip = field(c_clip).to_string();
        let frame_index: u64 = field(c_index)
            .parse()
            .map_err(|_| bad("frame_index", field(c_index), "a whole number >= 0"))?;
        if previous_clip.as_deref() != Some(clip.as_str()) && last_in_clip.contains_key(&clip) {
            return Err(bad_input(format!(
                "{name} line {line}: clip `{clip}` appears again after other clips (rows must be in clip/frame_index order)"
            )));
        }
        if let Some(&prev) = last_in_clip.get(&clip) {
            if frame_index <= prev {
                return Err(bad_input(format!(
                    "{name} line {line}: frame_index {frame_index} is not after {prev} in clip `{clip}` (rows must be in clip/frame_index order)"
                )));
            }
        }
        last_in_clip.insert(clip.clone(), frame_index);
        previous_clip = Some(clip.clone());
        let row = LabelRow {
            file,
            clip,
            frame_index,
            visible: flag(c_visible, "visible")?,
            x: number(c_x, "x", false)?,
            y: number(c_y, "y", false)?,
            w: number(c_w, "w", true)?,
            h: number(c_h, "h", true)?,
            propagated: propagated_col
                .map(|i| flag(i, PROPAGATED_COLUMN))
                .transpose()?
                .flatten(),
            confidence: confidence_col
                .map(|i| number(i, CONFIDENCE_COLUMN, true))
                .transpose()?
                .flatten(),
            extra: extra_cols
                .iter()
                .map(|(i, name)| (name.clone(), field(*i).to_string()))
                .collect(),
        };
        if row.x.is_some() != row.y.is_some() {
            return Err(bad_input(format!(
                "{name} line {line}: x and y must both be given or both be empty"
            )));
        }
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(bad_input(match split {
            Some(split) => format!("{name}: no label rows under `{split}/`"),
            None => format!("{name}: no label rows"),
        }));
    }
    Ok(rows)
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map_or_else(String::new, |v| format!("{v:.COORD_DECIMALS$}"))
}

fn fmt_flag(v: Option<bool>) -> String {
    v.map_or_else(String::new, |v| if v { "1".into() } else { "0".into() })
}

/// The names of the rows' extra columns, in the order first seen.
fn extra_columns(rows: &[LabelRow]) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for (name, _) in rows.iter().flat_map(|r| &r.extra) {
        if !names.contains(&name.as_str()) {
            names.push(name);
        }
    }
    names
}

/// Writes labels.csv to `path` (through a temporary file renamed at the end), with the rows'
/// extra columns after the others.
pub fn write_labels(
    path: &Path,
    rows: &[LabelRow],
    propagated: bool,
    confidence: bool,
) -> Result<()> {
    let tmp = crate::output::temp_sibling(path);
    let result = (|| -> Result<()> {
        let mut w = csv::Writer::from_path(&tmp)?;
        let mut header: Vec<&str> = REQUIRED_COLUMNS.to_vec();
        if propagated {
            header.push(PROPAGATED_COLUMN);
        }
        if confidence {
            header.push(CONFIDENCE_COLUMN);
        }
        let extra = extra_columns(rows);
        header.extend(&extra);
        w.write_record(&header)?;
        for r in rows {
            let mut rec = vec![
                r.file.clone(),
                r.clip.clone(),
                r.frame_index.to_string(),
                fmt_flag(r.visible),
                fmt_opt(r.x),
                fmt_opt(r.y),
                fmt_opt(r.w),
                fmt_opt(r.h),
            ];
            if propagated {
                rec.push(fmt_flag(Some(r.propagated.unwrap_or(false))));
            }
            if confidence {
                rec.push(r.confidence.map_or_else(String::new, |c| format!("{c:.3}")));
            }
            for name in &extra {
                let value = r.extra.iter().find(|(n, _)| n == name).map(|(_, v)| v);
                rec.push(value.cloned().unwrap_or_default());
            }
            w.write_record(&rec)?;
        }
        w.flush()?;
        Ok(())
    })();
    match result {
        Ok(()) => {
            std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e.context(format!("cannot write {}", path.display())))
        }
    }
}

/// Fills the frames between keyframes (see the module docs of [`propagate`]).
///
/// Per clip, every frame from the first to the last row is output: keyframe rows unchanged
/// (`propagated` 0), unlabelled rows and missing frames filled (`propagated` 1). A frame
/// between two visible keys gets the blend of two parabolas x(t), y(t) (piecewise constant
/// acceleration) through the nearest keys on each side (an Overhauser spline); between a
/// visible and an invisible key, the nearer key's visibility; outside the keys, extrapolated
/// from the nearest keys. Missing frames get file names from the nearest key's name with its
/// frame number replaced. Refused (a [`BadInput`](crate::errors::BadInput) naming the clip)
/// when the filled rows would exceed [`MAX_PROPAGATED_ROWS`].
pub fn propagate(rows: &[LabelRow]) -> Result<Vec<LabelRow>> {
    propagate_within(rows, MAX_PROPAGATED_ROWS)
}

/// [`propagate`] with at most `max_rows` rows written.
pub fn propagate_within(rows: &[LabelRow], max_rows: usize) -> Result<Vec<LabelRow>> {
    // Every clip's span is checked before anything is filled.
    let mut total: u64 = 0;
    let mut start = 0;
    let mut clips = Vec::new();
    while start < rows.len() {
        let clip = &rows[start].clip;
        let end = rows[start..]
            .iter()
            .position(|r| &r.clip != clip)
            .map_or(rows.len(), |n| start + n);
        let (first, last) = (rows[start].frame_index, rows[end - 1].frame_index);
        let span = last.saturating_sub(first).saturating_add(1);
        total = total.saturating_add(span);
        if total > max_rows as u64 {
            return Err(bad_input(format!(
                "clip `{clip}`: frames {first} to {last} would make {} rows with the clips before it, more than the {max_rows} that `label propagate` writes (check its frame_index values)",
                total
            )));
        }
        clips.push(start..end);
        start = end;
    }
    let mut out = Vec::with_capacity(usize::try_from(total).unwrap_or(max_rows));
    for range in clips {
        propagate_clip(&rows[range], &mut out);
    }
    Ok(out)
}

fn propagate_clip(rows: &[LabelRow], out: &mut Vec<LabelRow>) {
    let keys: Vec<&LabelRow> = rows.iter().filter(|r| r.is_key()).collect();
    let (first, last) = (rows[0].frame_index, rows[rows.len() - 1].frame_index);
    let mut existing = rows.iter().peekable();
    for f in first..=last {
        let present = existing.next_if(|r| r.frame_index == f);
        if let Some(row) = present {
            if row.is_key() {
                let mut kept = row.clone();
                kept.propagated = Some(false);
                out.push(kept);
                continue;
            }
        }
        let mut filled = fill(&keys, f);
        filled.clip = rows[0].clip.clone();
        filled.frame_index = f;
        filled.file = match present {
            Some(row) => row.file.clone(),
            None => file_for(rows, f),
        };
        if let Some(row) = present {
            filled.confidence = row.confidence;
            filled.extra.clone_from(&row.extra);
            // Keep a size the annotator gave.
            filled.w = row.w.or(filled.w);
            filled.h = row.h.or(filled.h);
        }
        filled.propagated = Some(true);
        out.push(filled);
    }
}

/// The label of frame `f` from the keys of its clip (sorted by frame index).
fn fill(keys: &[&LabelRow], f: u64) -> LabelRow {
    let mut row = LabelRow::default();
    if keys.is_empty() {
        return row;
    }
    let next_i = keys.partition_point(|k| k.frame_index < f);
    let prev = next_i.checked_sub(1).map(|i| keys[i]);
    let next = keys.get(next_i).copied();
    let visible_side = match (prev, next) {
        (Some(p), Some(n)) => {
            if p.visible == n.visible || f - p.frame_index <= n.frame_index - f {
                p
            } else {
                n
            }
        }
        (Some(p), None) => p,
        (None, Some(n)) => n,
        (None, None) => return row,
    };
    row.visible = visible_side.visible;
    if visible_side.visible != Some(true) {
        return row;
    }
    // The run of consecutive visible keys containing the chosen side.
    let anchor = keys
        .iter()
        .position(|k| std::ptr::eq(*k, visible_side))
        .unwrap_or(0);
    let mut lo = anchor;
    while lo > 0 && keys[lo - 1].visible == Some(true) {
        lo -= 1;
    }
    let mut hi = anchor;
    while hi + 1 < keys.len() && keys[hi + 1].visible == Some(true) {
        hi += 1;
    }
    let run = &keys[lo..=hi];
    let t = f as f64;
    let pt = |k: &LabelRow| (k.frame_index as f64, k.x.unwrap_or(0.0), k.y.unwrap_or(0.0));
    // Index in the run of the last key at or before f.
    let before = run.partition_point(|k| k.frame_index <= f);
    let (x, y) = if before > 0 && before < run.len() {
        // Between run[before-1] and run[before]: blend the parabola through the keys on the
        // left with the one through the keys on the right.
        let (i1, i2) = (before - 1, before);
        let left = (i1 >= 1).then(|| [pt(run[i1 - 1]), pt(run[i1]), pt(run[i2])]);
        let right = (i2 + 1 < run.len()).then(|| [pt(run[i1]), pt(run[i2]), pt(run[i2 + 1])]);
        let linear = [pt(run[i1]), pt(run[i2])];
        let (t1, t2) = (linear[0].0, linear[1].0);
        let w = if t2 > t1 { (t - t1) / (t2 - t1) } else { 0.0 };
        let eval = |q: Option<[(f64, f64, f64); 3]>| q.map(|q| parabola(&q, t));
        let smooth = match (eval(left), eval(right)) {
            (Some(a), Some(b)) => (a.0 * (1.0 - w) + b.0 * w, a.1 * (1.0 - w) + b.1 * w),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => line(&linear, t),
        };
        let left_keys: Vec<_> = run[i1.saturating_sub(FIT_KEYS_EACH_SIDE)..=i1]
            .iter()
            .map(|k| pt(k))
            .collect();
        let right_end = (i2 + FIT_KEYS_EACH_SIDE + 1).min(run.len());
        let right_keys: Vec<_> = run[i2..right_end].iter().map(|k| pt(k)).collect();
        kink(&left_keys, &right_keys, t).unwrap_or(smooth)
    } else {
        // Outside the run: extrapolate from the nearest keys.
        let n = run.len().min(FIT_KEYS_EACH_SIDE + 1);
        let near: Vec<(f64, f64, f64)> = if before == 0 {
            run[..n].iter().map(|k| pt(k)).collect()
        } else {
            run[run.len() - n..].iter().map(|k| pt(k)).collect()
        };
        match near.len() {
            3 => parabola(&[near[0], near[1], near[2]], t),
            2 => line(&[near[0], near[1]], t),
            _ => (near[0].1, near[0].2),
        }
    };
    row.x = Some(x);
    row.y = Some(y);
    // Size: linear between the bracketing keys of the run, else the nearest.
    let (a, b) = (
        run[before.saturating_sub(1).min(run.len() - 1)],
        run[before.min(run.len() - 1)],
    );
    let lerp = |va: Option<f64>, vb: Option<f64>| match (va, vb) {
        (Some(va), Some(vb)) if b.frame_index > a.frame_index => {
            let w = ((t - a.frame_index as f64) / (b.frame_index - a.frame_index) as f64)
                .clamp(0.0, 1.0);
            Some(va + (vb - va) * w)
        }
        (va, vb) => va.or(vb),
    };
    row.w = lerp(a.w, b.w);
    row.h = lerp(a.h, b.h);
    row
}

/// Extrapolates the (t, x, y) keys: a parabola through the last three, a line through two,
/// or the one key.
fn extrapolate(keys: &[(f64, f64, f64)], t: f64) -> (f64, f64) {
    match keys.len() {
        0 => (f64::NAN, f64::NAN),
        1 => (keys[0].1, keys[0].2),
        2 => line(&[keys[0], keys[1]], t),
        n => parabola(&[keys[n - 3], keys[n - 2], keys[n - 1]], t),
    }
}

/// The kick/stop model of a gap: when the motion fitted on the keys before the gap does not
/// reach the key after it (and vice versa) by more than [`KINK_MIN_PX`], but the two fits meet
/// inside the gap, the ball changed its motion there: the left fit holds until they meet and the
/// right fit after. `None` when the smooth fit is consistent (or the fits never meet).
fn kink(left: &[(f64, f64, f64)], right: &[(f64, f64, f64)], t: f64) -> Option<(f64, f64)> {
    let (Some(&last), Some(&first)) = (left.last(), right.first()) else {
        return None;
    };
    // The right fit, extrapolated backwards in time, uses the keys in reverse order.
    let right_rev: Vec<_> = right.iter().rev().copied().collect();
    let l = |t: f64| extrapolate(left, t);
    let r = |t: f64| extrapolate(&right_rev, t);
    let dist = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).hypot(a.1 - b.1);
    let miss_left = dist(l(first.0), (first.1, first.2));
    let miss_right = dist(r(last.0), (last.1, last.2));
    let miss = miss_left.max(miss_right);
    if miss.is_nan() || miss <= KINK_MIN_PX {
        return None;
    }
    let (t1, t2) = (last.0, first.0);
    let (mut best_t, mut best_d) = (t1, f64::INFINITY);
    for i in 0..=KINK_SEARCH_STEPS {
        let tt = t1 + (t2 - t1) * i as f64 / KINK_SEARCH_STEPS as f64;
        let d = dist(l(tt), r(tt));
        if d < best_d {
            (best_t, best_d) = (tt, d);
        }
    }
    (best_d < miss * KINK_MEET_FRACTION).then(|| if t < best_t { l(t) } else { r(t) })
}

/// The parabola through three (t, x, y) points, evaluated at `t` (Lagrange form).
fn parabola(p: &[(f64, f64, f64); 3], t: f64) -> (f64, f64) {
    let [(t0, x0, y0), (t1, x1, y1), (t2, x2, y2)] = *p;
    let l0 = (t - t1) * (t - t2) / ((t0 - t1) * (t0 - t2));
    let l1 = (t - t0) * (t - t2) / ((t1 - t0) * (t1 - t2));
    let l2 = (t - t0) * (t - t1) / ((t2 - t0) * (t2 - t1));
    (x0 * l0 + x1 * l1 + x2 * l2, y0 * l0 + y1 * l1 + y2 * l2)
}

/// The line through two (t, x, y) points, evaluated at `t`.
fn line(p: &[(f64, f64, f64); 2], t: f64) -> (f64, f64) {
    let [(t0, x0, y0), (t1, x1, y1)] = *p;
    let w = (t - t0) / (t1 - t0);
    (x0 + (x1 - x0) * w, y0 + (y1 - y0) * w)
}

/// A file name for frame `f`: the nearest row's name with its last number shifted by the frame
/// difference (same zero padding); empty when the names carry no number.
fn file_for(rows: &[LabelRow], f: u64) -> String {
    let nearest = rows.iter().min_by_key(|r| r.frame_index.abs_diff(f));
    let Some(near) = nearest else {
        return String::new();
    };
    let name = &near.file;
    let bytes = name.as_bytes();
    let Some(end) = bytes.iter().rposition(u8::is_ascii_digit).map(|i| i + 1) else {
        return String::new();
    };
    let start = bytes[..end]
        .iter()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |i| i + 1);
    let digits = &name[start..end];
    let Ok(value) = digits.parse::<i128>() else {
        return String::new();
    };
    let shifted = value + i128::from(f) - i128::from(near.frame_index);
    if shifted < 0 {
        return String::new();
    }
    let width = if digits.starts_with('0') {
        digits.len()
    } else {
        0
    };
    format!("{}{:0width$}{}", &name[..start], shifted, &name[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(f: u64, x: f64, y: f64) -> LabelRow {
        LabelRow {
            file: format!("img_{f:04}.png"),
            clip: "a".into(),
            frame_index: f,
            visible: Some(true),
            x: Some(x),
            y: Some(y),
            w: Some(10.0),
            h: Some(10.0),
            ..LabelRow::default()
        }
    }

    #[test]
    fn parabolic_motion_is_filled_exactly() {
        let pos = |t: f64| (3.0 + 2.0 * t, 100.0 - 5.0 * t + 0.25 * t * t);
        let keys: Vec<LabelRow> = (0..=40)
            .step_by(10)
            .map(|f| key(f, pos(f as f64).0, pos(f as f64).1))
            .collect();
        let dense = propagate(&keys).unwrap();
        assert_eq!(dense.len(), 41);
        for r in &dense {
            let (x, y) = pos(r.frame_index as f64);
            assert!(
                (r.x.unwrap() - x).abs() < 1e-6 && (r.y.unwrap() - y).abs() < 1e-6,
                "{r:?}"
            );
            assert_eq!(r.propagated, Some(r.frame_index % 10 != 0));
            assert_eq!(r.file, format!("img_{:04}.png", r.frame_index));
        }
    }

    #[test]
    fn visibility_follows_the_nearer_key() {
        let mut rows = vec![key(0, 0.0, 0.0), key(10, 10.0, 0.0)];
        rows.push(LabelRow {
            visible: Some(false),
            x: None,
            y: None,
            ..key(20, 0.0, 0.0)
        });
        let dense = propagate(&rows).unwrap();
        assert_eq!(dense[12].visible, Some(true));
        assert!((dense[12].x.unwrap() - 12.0).abs() < 1e-9);
        assert_eq!(dense[18].visible, Some(false));
        assert_eq!(dense[18].x, None);
    }

    #[test]
    fn a_capture_queue_keeps_its_metadata_through_propagation() {
        let csv = "file,clip,frame_index,visible,x,y,w,h,confidence,reason,episode\n\
                   a_0.png,c,0,1,10,10,4,4,0.9,low_confidence,3\n\
                   a_2.png,c,2,,,,,,0.2,multi_ball,4\n\
                   a_4.png,c,4,1,14,10,4,4,0.8,,5\n";
        let rows = read_labels_from(csv.as_bytes(), "queue").unwrap();
        let dense = propagate(&rows).unwrap();
        // Frames 0..=4: three rows read, frames 1 and 3 added without metadata.
        assert_eq!(dense.len(), 5);
        let reason = |r: &LabelRow| {
            r.extra
                .iter()
                .find(|(n, _)| n == "reason")
                .map(|(_, v)| v.clone())
        };
        assert_eq!(reason(&dense[0]).as_deref(), Some("low_confidence"));
        assert_eq!(reason(&dense[1]), None);
        // The unlabelled queue row is filled (x = 12 between 10 and 14) and keeps its metadata.
        assert!((dense[2].x.unwrap() - 12.0).abs() < 1e-9);
        assert_eq!(reason(&dense[2]).as_deref(), Some("multi_ball"));
        let dir = std::env::temp_dir().join(format!("ballcam_labels_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("labels.csv");
        write_labels(&path, &dense, true, true).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "file,clip,frame_index,visible,x,y,w,h,propagated,confidence,reason,episode"
        );
        assert!(lines[3].ends_with(",1,0.200,multi_ball,4"), "{}", lines[3]);
        assert!(lines[2].ends_with(",1,,,"), "{}", lines[2]);
    }

    #[test]
    fn file_names_shift_numbers() {
        let rows = vec![key(5, 0.0, 0.0)];
        assert_eq!(file_for(&rows, 7), "img_0007.png");
        let rows = vec![LabelRow {
            file: "clip/frame12.jpg".into(),
            frame_index: 11,
            ..LabelRow::default()
        }];
        assert_eq!(file_for(&rows, 13), "clip/frame14.jpg");
        let rows = vec![LabelRow {
            file: "nodigits.png".into(),
            ..LabelRow::default()
        }];
        assert_eq!(file_for(&rows, 3), "");
    }
}
