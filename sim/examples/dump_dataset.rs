//! Write a training data set: PNG frames and `labels.csv`.
//!
//! `cargo run --release -p ballcam-sim --example dump_dataset -- --out DIR --count N --seed S
//! [--width 1280 --height 720] [--clips] [--threads T]`
//!
//! Default: independent random frames (`render_random_frame`). With `--clips`: frames sampled
//! from random scenario clips. `labels.csv` has `file,clip,frame_index,visible,x,y,w,h`
//! (x, y the ball centre, w = h = 2 * radius; empty when the ball is not visible).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use ballcam_sim::{render_random_frame, Clip, ClipSpec, GroundTruth, Scenario};
use clap::Parser;

/// Frames sampled from each clip in --clips mode.
const FRAMES_PER_CLIP: u32 = 12;
/// Clip length and rate in --clips mode.
const CLIP_SECONDS: f64 = 8.0;
const CLIP_FPS: f64 = 30.0;

#[derive(Parser, Debug)]
#[command(about = "Dump synthetic ball-detection training frames")]
struct Args {
    /// Output folder (created).
    #[arg(long)]
    out: PathBuf,
    /// Number of frames.
    #[arg(long, default_value_t = 100)]
    count: u32,
    /// Base seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[arg(long, default_value_t = 1280)]
    width: u32,
    #[arg(long, default_value_t = 720)]
    height: u32,
    /// Sample frames from scenario clips instead of random stills.
    #[arg(long)]
    clips: bool,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
}

/// One labelled row.
struct Row {
    index: u32,
    clip: String,
    frame: u32,
    gt: GroundTruth,
}

fn save_png(path: &Path, rgb: &[u8], w: u32, h: u32) -> Result<()> {
    image::save_buffer(path, rgb, w, h, image::ColorType::Rgb8)
        .with_context(|| format!("writing {}", path.display()))
}

/// Scenario of clip `k` and a CSV-safe name for it.
fn scenario_for(k: u64) -> (Scenario, &'static str) {
    match k % 6 {
        0 => (Scenario::StraightPass, "straight"),
        1 => (Scenario::LoftedBall, "lofted"),
        2 => (Scenario::Occluded { hidden_s: 1.0 }, "occluded"),
        3 => (Scenario::LeavesFrame, "leaves"),
        4 => (Scenario::Decoy, "decoy"),
        _ => (Scenario::Match, "match"),
    }
}

/// Work item `i` of worker output: random frames.
fn random_rows(args: &Args, items: &[u32]) -> Result<Vec<Row>> {
    let mut rgb = vec![0u8; args.width as usize * args.height as usize * 3];
    let mut rows = Vec::new();
    for &i in items {
        let seed = args.seed.wrapping_mul(1_000_003).wrapping_add(u64::from(i));
        let gt = render_random_frame(seed, args.width, args.height, &mut rgb)?;
        save_png(
            &args.out.join(format!("{i:06}.png")),
            &rgb,
            args.width,
            args.height,
        )?;
        rows.push(Row {
            index: i,
            clip: String::new(),
            frame: 0,
            gt,
        });
    }
    Ok(rows)
}

/// Clips: item `c` is a clip; frames spread over it.
fn clip_rows(args: &Args, clips: &[u32]) -> Result<Vec<Row>> {
    let mut rgb = vec![0u8; args.width as usize * args.height as usize * 3];
    let mut rows = Vec::new();
    for &c in clips {
        let seed = args.seed.wrapping_mul(1_000_003).wrapping_add(u64::from(c));
        let (scenario, name) = scenario_for(u64::from(c));
        let spec = ClipSpec::new(
            scenario,
            args.width,
            args.height,
            CLIP_FPS,
            CLIP_SECONDS,
            seed,
        );
        let mut clip = Clip::new(spec)?;
        let n = clip.frame_count();
        for k in 0..FRAMES_PER_CLIP {
            let index = c * FRAMES_PER_CLIP + k;
            if index >= args.count {
                break;
            }
            let frame =
                ((u64::from(k) * u64::from(n)) / u64::from(FRAMES_PER_CLIP)) as u32 + (c % 5);
            let frame = frame.min(n.saturating_sub(1));
            let gt = clip.render_rgb(frame, &mut rgb)?;
            save_png(
                &args.out.join(format!("{index:06}.png")),
                &rgb,
                args.width,
                args.height,
            )?;
            rows.push(Row {
                index,
                clip: format!("{name}-{seed}"),
                frame,
                gt,
            });
        }
    }
    Ok(rows)
}

fn main() -> Result<()> {
    let args = Args::parse();
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let items: Vec<u32> = if args.clips {
        (0..args.count.div_ceil(FRAMES_PER_CLIP)).collect()
    } else {
        (0..args.count).collect()
    };
    let chunks: Vec<Vec<u32>> = (0..threads)
        .map(|t| items.iter().copied().skip(t).step_by(threads).collect())
        .collect();
    let mut rows: Vec<Row> = Vec::new();
    std::thread::scope(|s| -> Result<()> {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| {
                let args = &args;
                s.spawn(move || {
                    if args.clips {
                        clip_rows(args, chunk)
                    } else {
                        random_rows(args, chunk)
                    }
                })
            })
            .collect();
        for h in handles {
            let r = h.join().map_err(|_| anyhow::anyhow!("worker panicked"))??;
            rows.extend(r);
        }
        Ok(())
    })?;
    rows.sort_by_key(|r| r.index);
    let mut csv = String::from("file,clip,frame_index,visible,x,y,w,h\n");
    for r in &rows {
        let file = format!("{:06}.png", r.index);
        if r.gt.visible {
            let d = 2.0 * r.gt.radius;
            writeln!(
                csv,
                "{file},{},{},1,{:.2},{:.2},{d:.2},{d:.2}",
                r.clip, r.frame, r.gt.x, r.gt.y
            )?;
        } else {
            writeln!(csv, "{file},{},{},0,,,,", r.clip, r.frame)?;
        }
    }
    std::fs::write(args.out.join("labels.csv"), csv).context("writing labels.csv")?;
    let visible = rows.iter().filter(|r| r.gt.visible).count();
    println!(
        "wrote {} frames ({visible} with a visible ball) to {}",
        rows.len(),
        args.out.display()
    );
    Ok(())
}
