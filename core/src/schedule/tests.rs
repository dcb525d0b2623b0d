//! Tests of the scheduler: budget accounting, job choice, search cycle, late frames.

use super::*;
use crate::config::{Config, Preset};

/// The preset's scheduler with the big region of interest as the tracking region (most
/// tests are about the budget; `roi_fit_small` has tests of its own).
fn sched(preset: Preset) -> Scheduler {
    let mut c = Config::preset(preset);
    c.schedule.roi_fit_small = false;
    Scheduler::new(c.schedule, c.detector)
}

/// The desktop preset's scheduler with every class of run measured at 1 ms.
fn desktop_at_1ms() -> Scheduler {
    desktop_at_1ms_with_tile_scale(Config::preset(Preset::Desktop).schedule.tile_scale)
}

/// [`desktop_at_1ms`] with another `schedule.tile_scale`.
fn desktop_at_1ms_with_tile_scale(tile_scale: f32) -> Scheduler {
    let c = Config::preset(Preset::Desktop);
    let schedule = ScheduleConfig {
        tile_scale,
        ..c.schedule
    };
    let mut s = Scheduler::new(schedule, c.detector);
    for class in CostClass::ALL {
        s.record(class, 1_000);
    }
    s
}

/// Spends a still's credit on 1 ms tiles until at most `limit_us` is left (a still that
/// arrives sooner, or a busier one).
fn spend_credit_to(s: &mut Scheduler, limit_us: f64) {
    while s.credit_us() > limit_us {
        s.record(CostClass::Tile, 1_000);
    }
}

/// The decision for a lost engine's 1080p still 0.5 s after the previous frame.
fn still_1080p(s: &mut Scheduler) -> Decision {
    s.decide_after(
        Some(500_000),
        1920,
        1080,
        TrackView::None,
        Lookout::default(),
    )
}

/// A track at (x, y) just seen, its position known to `sigma` pixels.
fn pred_sigma(x: f32, y: f32, sigma: f32) -> TrackView {
    track_view(x, y, sigma, BALL_RADIUS, 0.0)
}

#[test]
fn a_class_that_never_ran_is_planned_from_the_cost_per_pixel_of_the_others() {
    let mut s = sched(Preset::Phone30Fps);
    assert_eq!(s.planned_cost(CostClass::Roi), 0.0, "nothing measured yet");
    s.record(CostClass::Tile, 3_000);
    let d = Config::preset(Preset::Phone30Fps).detector;
    let px = |i: InputSize| f64::from(i.width * i.height);
    let expected = 3_000.0 * px(d.roi_input) / px(d.tile_input);
    assert!((s.planned_cost(CostClass::Roi) - expected).abs() < 1e-6);
    // The most expensive rate per pixel is the one used.
    s.record(CostClass::RoiSmall, 2_000);
    let rate = (2_000.0 / px(d.roi_small_input)).max(3_000.0 / px(d.tile_input));
    assert!((s.planned_cost(CostClass::Full) - rate * px(d.full_input)).abs() < 1e-6);
}

#[test]
fn the_first_run_of_the_big_roi_stays_inside_the_budget() {
    // Costs grow with the input (60 ns per pixel). A confident track runs the small region
    // with a lookout search beside it; then the prediction grows uncertain and the big
    // region runs for the first time, with the lookout search still asked for: planned at
    // 0 it would leave room for two tiles and overrun.
    let c = Config::preset(Preset::Phone30Fps);
    let budget = c.schedule.budget_us;
    let mut s = Scheduler::new(c.schedule, c.detector);
    let cost = |j: &Job| u64::from(j.input.width * j.input.height) * 60 / 1_000;
    let look = Lookout {
        rival: None,
        search: true,
    };
    for i in 0..40 {
        let sigma = if i < 30 { 2.0 } else { 30.0 };
        let d = s.decide(1920, 1080, pred_sigma(900.0, 500.0, sigma), look);
        let spent: u64 = d.jobs().map(cost).sum();
        assert!(spent <= budget, "frame {i}: {spent} us > {budget}: {d:?}");
        if i >= 30 {
            assert_eq!(d.jobs().next().map(|j| j.class), Some(CostClass::Roi));
        }
        for j in d.jobs() {
            s.record(j.class, cost(j));
        }
    }
}

#[test]
fn small_frames_are_searched_at_a_finer_tile_scale() {
    // desktop: tile_scale 1.5 from a 720 px shorter side up.
    let c = Config::preset(Preset::Desktop);
    let s = Scheduler::new(c.schedule, c.detector);
    assert_eq!(s.tile_scale_for(1920, 1080), 1.5);
    assert_eq!(s.tile_scale_for(1280, 720), 1.5);
    assert_eq!(
        s.tile_scale_for(720, 1280),
        1.5,
        "portrait: the shorter side"
    );
    // 640x360: 1.5 * 360 / 720 = 0.75 (tiles upscale the frame by 1.33).
    assert_eq!(s.tile_scale_for(640, 360), 0.75);
    // 320x180: 1.5 * 0.25 = 0.375, floored at 0.5.
    assert_eq!(s.tile_scale_for(320, 180), 0.5);
}

#[test]
fn a_late_frame_gets_the_budget_of_the_time_it_stands_for() {
    // phone-30fps: 8 ms per 33.333 ms frame, at most 30 budgets.
    let c = Config::preset(Preset::Phone30Fps);
    let s = Scheduler::new(c.schedule, c.detector);
    assert_eq!(s.budget_for_gap(Some(33_333)), 8_000.0);
    assert_eq!(
        s.budget_for_gap(Some(10_000)),
        8_000.0,
        "never less than budget_us"
    );
    // 0.3 s = 9 intervals -> 9 * 8 ms = 72 ms (to float rounding).
    assert!((s.budget_for_gap(Some(300_000)) - 72_000.0).abs() < 1.0);
    assert_eq!(
        s.budget_for_gap(Some(60_000_000)),
        240_000.0,
        "capped at 30 budgets"
    );
    assert_eq!(
        s.budget_for_gap(None),
        8_000.0,
        "a first frame of unknown gap"
    );
}

#[test]
fn a_still_searches_the_whole_frame_in_one_go() {
    // 1 ms per run. At 30 fps a lost engine runs at most MAX_JOBS searches per frame; a
    // still 0.5 s after the previous frame runs the whole cycle (whole frame + every tile).
    let mut s = desktop_at_1ms();
    let d = s.decide(1920, 1080, TrackView::None, Lookout::default());
    assert_eq!(d.jobs().count(), MAX_JOBS);
    let mut s = desktop_at_1ms();
    let d = still_1080p(&mut s);
    assert_eq!(d.jobs().count(), s.search_cycle_len());
    assert!(s.search_cycle_len() > MAX_JOBS);
    // ... and leaves credit for second looks at what it finds.
    for j in d.jobs() {
        s.record(j.class, 1_000);
    }
    let look = s
        .second_look(1920, 1080, 500.0, 400.0, 6.0)
        .expect("a second look");
    assert_eq!(look.class, CostClass::Roi);
    let roi = Config::preset(Preset::Desktop).detector.roi_input;
    // Native scale, centred on the candidate: 192x192 from (404, 304).
    assert_eq!(
        (look.region.x, look.region.y, look.region.width),
        (500 - 96, 400 - 96, roi.width)
    );
}

#[test]
fn a_small_ball_in_a_small_frame_is_looked_at_as_finely_as_the_fine_pass_sees_it() {
    // 640x360 on the desktop preset: tile scale 1.5 x 360 / 720 = 0.75, fine pass 360 / 1080
    // = 1/3 (3x upscaled). A 4 px ball (< SMALL_BALL_PX 8) gets a 192 / 3 = 64 px look
    // centred on it; a 10 px ball the native 192 px one; at 1080p (fine scale 1) every look
    // is native.
    let mut s = desktop_at_1ms();
    s.decide_after(Some(500_000), 640, 360, TrackView::None, Lookout::default());
    let small = s.second_look(640, 360, 300.0, 200.0, 2.0).expect("a look");
    assert_eq!(
        (
            small.region.x,
            small.region.y,
            small.region.width,
            small.region.height
        ),
        (300 - 32, 200 - 32, 64, 64)
    );
    let large = s.second_look(640, 360, 300.0, 200.0, 5.0).expect("a look");
    assert_eq!((large.region.width, large.region.height), (192, 192));
    let mut s = desktop_at_1ms();
    still_1080p(&mut s);
    let native = s
        .second_look(1920, 1080, 300.0, 200.0, 2.0)
        .expect("a look");
    assert_eq!((native.region.width, native.region.height), (192, 192));
}

#[test]
fn a_still_fine_pass_sees_the_frame_as_a_1080p_frame_natively_within_the_credit() {
    // Desktop tiles are 384x224 inputs at tile_scale 1.5 (576x336 px on 1080p). The fine
    // pass uses them at native scale, overlapping by at least 32 px (steps of at most 352
    // and 192 px): (1920 - 384) / 352 -> 5 steps, 6 across; (1080 - 224) / 192 -> 5 steps, 6
    // down: 36 tiles, the last at (1536, 856).
    let c = Config::preset(Preset::Desktop);
    let mut s = desktop_at_1ms();
    // A still 0.5 s late: credit of 15 budgets of 16 ms (240 ms); the ordinary cycle's 17
    // runs spend 17 ms of it.
    let d = still_1080p(&mut s);
    for j in d.jobs() {
        s.record(j.class, 1_000);
    }
    // 36 + 3 ms fit 223 ms; the next step (1.5) would be the tiles' own scale.
    assert_eq!(s.fine_pass_scale(1920, 1080, 3), Some(1.0));
    let tiles: Vec<Job> = (0..)
        .map_while(|i| s.fine_tile(1920, 1080, 1.0, i, 0))
        .collect();
    assert_eq!(tiles.len(), 36);
    let input = c.detector.tile_input;
    assert!(tiles
        .iter()
        .all(|t| t.input == input && (t.region.width, t.region.height) == (384, 224)));
    let last = tiles[35].region;
    assert_eq!((last.x, last.y), (1536, 856));
    // Neighbours overlap: 1536 / 5 = 307.2 px apart for 384 px tiles.
    assert_eq!(tiles[1].region.x, 307);
    // 223 ms left: the pass spends it one tile at a time (1 ms each), keeping 3 looks' worth.
    let mut spent = 0;
    while s.fine_tile(1920, 1080, 1.0, 0, 3).is_some() {
        s.record(CostClass::Tile, 1_000);
        spent += 1;
    }
    assert_eq!(spent, 220, "223 ms of credit less 3 ms kept for the looks");
    assert!(s.second_look(1920, 1080, 500.0, 500.0, 5.0).is_some());
    // Out of credit: no more tiles.
    for _ in 0..3 {
        s.record(CostClass::Tile, 1_000);
    }
    assert!(s.fine_tile(1920, 1080, 1.0, 0, 0).is_none());
    // A 640x360 frame (ordinary tiles at 1.5 x 360 / 720 = 0.75) is seen as a 1080p frame:
    // scale 360 / 1080 = 1 / MAX_FINE_UPSCALE, tiles of 384 / 3 = 128 by 224 / 3 -> 75 px
    // overlapping by 32 / 3 -> 11: (640 - 128) / 117 -> 5 steps, 6 across; (360 - 75) / 64
    // -> 5 steps, 6 down: 36, as many as on a 1080p frame.
    let mut s = desktop_at_1ms();
    s.decide_after(Some(500_000), 640, 360, TrackView::None, Lookout::default());
    let third = 1.0 / MAX_FINE_UPSCALE as f32;
    assert_eq!(s.fine_scale_for(640, 360), third);
    assert_eq!(s.fine_pass_scale(640, 360, 3), Some(third));
    let small: Vec<Job> = (0..)
        .map_while(|i| s.fine_tile(640, 360, third, i, 0))
        .collect();
    assert_eq!(small.len(), 36);
    assert_eq!((small[0].region.width, small[0].region.height), (128, 75));
    // A 960x540 frame's fine pass is 2x (540 / 1080), within the cap.
    assert_eq!(s.fine_scale_for(960, 540), 0.5);
    // A 320x240 frame: ordinary tiles at 1.5 x 240 / 720 -> MIN_TILE_SCALE 0.5 (2x), fine
    // pass at 3x (240 / 1080 is finer than 1/3).
    let mut s = desktop_at_1ms();
    s.decide_after(Some(500_000), 320, 240, TrackView::None, Lookout::default());
    let third = s.fine_pass_scale(320, 240, 0).expect("a fine pass");
    let tiny = s.fine_tile(320, 240, third, 0, 0).expect("a fine tile");
    assert_eq!((tiny.region.width, tiny.region.height), (128, 75));
    // Ordinary tiles as fine as the fine pass already (tile_scale 0.5 on a 1080p frame, fine
    // scale 1): none.
    let mut s = desktop_at_1ms_with_tile_scale(0.5);
    still_1080p(&mut s);
    assert_eq!(s.fine_pass_scale(1920, 1080, 0), None);
}

#[test]
fn a_still_fine_pass_coarsens_until_the_credit_pays_for_the_whole_frame() {
    // 640x360 on the desktop preset at 1 ms a run: the 3x pass is 36 tiles, the 2x pass 16
    // (192x112 px tiles overlapping by 16: 4 across, 4 down), the ordinary tiles 0.75.
    let mut s = desktop_at_1ms();
    s.decide_after(Some(500_000), 640, 360, TrackView::None, Lookout::default());
    spend_credit_to(&mut s, 30_500.0);
    assert!((30_000.0..=30_500.0).contains(&s.credit_us()));
    // 30 ms: 36 + 3 looks = 39 ms do not fit, 16 + 3 = 19 do: the whole frame at 2x.
    assert_eq!(s.fine_pass_scale(640, 360, 3), Some(0.5));
    let tiles: Vec<Job> = (0..)
        .map_while(|i| s.fine_tile(640, 360, 0.5, i, 3))
        .collect();
    assert_eq!(tiles.len(), 16);
    assert_eq!(
        tiles[15].region.y + tiles[15].region.height as i32,
        360,
        "reaches the bottom"
    );
    // 10 ms: not even 16 + 3 fit; the 2x pass (the coarsest finer than the tiles: 0.5 x 1.5
    // = 0.75) runs as far as the credit goes, 10 - 3 = 7 tiles.
    spend_credit_to(&mut s, 10_500.0);
    assert!((10_000.0..=10_500.0).contains(&s.credit_us()));
    assert_eq!(s.fine_pass_scale(640, 360, 3), Some(0.5));
    let mut ran = 0;
    while s.fine_tile(640, 360, 0.5, ran, 3).is_some() {
        s.record(CostClass::Tile, 1_000);
        ran += 1;
    }
    assert_eq!(ran, 7);
}

#[test]
fn a_still_fine_pass_takes_the_finest_step_its_credit_pays_for() {
    // tile_scale 2.0 at 640x360: ordinary tiles 2.0 x 360 / 720 = 1.0, fine pass 1/3. Steps:
    // 1/3 (36 tiles), 0.5 (16: 192x112 px), 0.75 (9: 288x168 px overlapping by 24, (640 -
    // 288) / 264 -> 2 steps, 3 across; (360 - 168) / 144 -> 2 steps, 3 down); 1.125 would be
    // coarser than the tiles. At 1 ms a run with 3 looks kept: 25 ms pays for 16 + 3, not
    // 36 + 3; 15 ms for 9 + 3 only; 5 ms for none (the coarsest step, as far as it goes).
    let mut s = desktop_at_1ms_with_tile_scale(2.0);
    s.decide_after(Some(500_000), 640, 360, TrackView::None, Lookout::default());
    assert_eq!(s.tile_scale_for(640, 360), 1.0);
    let mut scales = Vec::new();
    for credit in [25_000.0, 15_000.0, 5_000.0] {
        spend_credit_to(&mut s, credit + 500.0);
        let scale = s.fine_pass_scale(640, 360, 3).expect("a fine pass");
        let count = (0..)
            .map_while(|i| s.fine_tile(640, 360, scale, i, 0))
            .count();
        scales.push((scale, count));
    }
    assert_eq!(scales, [(0.5, 16), (0.75, 9), (0.75, 9)]);
}

#[test]
fn a_still_fine_pass_is_never_a_repeat_of_the_ordinary_tiles() {
    // Out of credit, the pass steps to its coarsest scale. From 360 to 720 px the desktop
    // tiles are 1.5 x side / 720 and the pass side / 1080: 2.25 = 1.5 x 1.5 times finer, so
    // two steps land on the tiles' own scale give or take rounding, which must not be taken
    // (a repeat of the search); from 241 to 287 px the second step (1/2 against side / 480)
    // would be under 1.2x finer. Every side, both orientations.
    let mut s = desktop_at_1ms();
    s.decide_after(Some(500_000), 640, 360, TrackView::None, Lookout::default());
    spend_credit_to(&mut s, 0.0);
    for side in 120..=2200 {
        for (w, h) in [(side * 16 / 9, side), (side, side * 4 / 3)] {
            let tiles = s.tile_scale_for(w, h);
            if let Some(scale) = s.fine_pass_scale(w, h, 3) {
                assert!(
                    scale * MIN_FINE_GAIN <= tiles,
                    "{w}x{h}: fine pass {scale}, tiles {tiles}"
                );
            }
        }
    }
    // 711x400: tiles 1.5 x 400 / 720 = 0.833, fine 400 / 1080 = 0.370 -> 0.556.
    let scale = s.fine_pass_scale(711, 400, 3).expect("a fine pass");
    assert!((scale - 0.5556).abs() < 1e-3, "{scale}");
    // 428x241: tiles 241 / 480 = 0.502, fine 1/3 stays (0.5 is under 1.2x finer).
    assert_eq!(
        s.fine_pass_scale(428, 241, 3),
        Some(1.0 / MAX_FINE_UPSCALE as f32)
    );
    // 1600x900: tiles 1.5, fine 900 / 1080 = 0.833 -> 1.25, exactly 1.2x finer: taken.
    assert_eq!(s.fine_pass_scale(1600, 900, 3), Some(1.25));
}

#[test]
fn a_small_ball_in_a_frame_under_1080p_is_looked_at_as_finely_as_the_fine_pass_sees_it() {
    // 1280x720: tiles at 1.5, fine pass 720 / 1080 = 2/3 -> a 192 x 2/3 = 128 px look; 960x540:
    // fine pass 0.5 -> 96 px. A ball of 3 px radius is 6 px across, under SMALL_BALL_PX 8.
    let mut s = desktop_at_1ms();
    s.decide_after(
        Some(500_000),
        1280,
        720,
        TrackView::None,
        Lookout::default(),
    );
    let look = s.second_look(1280, 720, 600.0, 300.0, 3.0).expect("a look");
    assert_eq!((look.region.width, look.region.height), (128, 128));
    let mut s = desktop_at_1ms();
    s.decide_after(Some(500_000), 960, 540, TrackView::None, Lookout::default());
    let look = s.second_look(960, 540, 600.0, 300.0, 3.0).expect("a look");
    assert_eq!((look.region.width, look.region.height), (96, 96));
}

#[test]
fn a_4k_frame_is_searched_as_coarsely_as_its_larger_ball_allows() {
    // Desktop tile_scale 1.5 up to a 1080 px shorter side; 2160 px is twice that: scale 3,
    // tiles of 1152x672 px ((3840 - 1152) / 1056 and (2160 - 672) / 576 -> 3 steps each: 16
    // tiles). The fine pass of a still sees it as a 1080p frame natively (scale 2).
    let c = Config::preset(Preset::Desktop);
    let mut s = Scheduler::new(c.schedule.clone(), c.detector);
    assert_eq!(s.tile_scale_for(1920, 1080), 1.5);
    assert_eq!(s.tile_scale_for(3840, 2160), 3.0);
    assert_eq!(s.tile_scale_for(2160, 3840), 3.0, "portrait");
    assert_eq!(s.fine_scale_for(1920, 1080), 1.0);
    assert_eq!(s.fine_scale_for(3840, 2160), 2.0);
    s.decide_after(
        Some(500_000),
        3840,
        2160,
        TrackView::None,
        Lookout::default(),
    );
    assert_eq!(s.search_cycle_len(), 1 + 16);
    assert_eq!(s.tiles()[0].width, 1152);
    assert_eq!(s.fine_pass_scale(3840, 2160, 0), Some(2.0));
    let fine = s.fine_tile(3840, 2160, 2.0, 0, 0).expect("a fine tile");
    assert_eq!((fine.region.width, fine.region.height), (768, 448));
}

#[test]
fn a_confident_track_runs_the_small_roi_at_native_scale() {
    let c = Config::preset(Preset::Phone30Fps);
    let small = c.detector.roi_small_input;
    let mut s = Scheduler::new(c.schedule.clone(), c.detector.clone());
    let d = s.decide(
        1920,
        1080,
        pred_sigma(900.0, 500.0, 2.0),
        Lookout::default(),
    );
    let jobs: Vec<_> = d.jobs().collect();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].class, CostClass::RoiSmall);
    assert_eq!(jobs[0].input, small);
    // Native scale, centred on the prediction.
    assert_eq!(
        (jobs[0].region.width, jobs[0].region.height),
        (small.width, small.height)
    );
    assert_eq!(jobs[0].region.x + (small.width / 2) as i32, 900);
    // An uncertain prediction (6 sigma wider than the small input) gets the big region.
    let d = s.decide(
        1920,
        1080,
        pred_sigma(900.0, 500.0, 30.0),
        Lookout::default(),
    );
    let jobs: Vec<_> = d.jobs().collect();
    assert_eq!(jobs[0].class, CostClass::Roi);
    assert_eq!(jobs[0].input, c.detector.roi_input);
    // A large ball (8 radii wider than the small input) too.
    let big_ball = track_view(900.0, 500.0, 2.0, 20.0, 0.0);
    let d = s.decide(1920, 1080, big_ball, Lookout::default());
    assert_eq!(d.jobs().next().map(|j| j.class), Some(CostClass::Roi));
    // Switched off, the confident track gets the big region as well.
    let mut off = c.schedule.clone();
    off.roi_fit_small = false;
    let mut s = Scheduler::new(off, c.detector);
    let d = s.decide(
        1920,
        1080,
        pred_sigma(900.0, 500.0, 2.0),
        Lookout::default(),
    );
    assert_eq!(d.jobs().next().map(|j| j.class), Some(CostClass::Roi));
}

fn pred(x: f32, y: f32) -> TrackView {
    coasting(x, y, 0.0)
}

/// Apparent radius of the tests' ball, pixels.
const BALL_RADIUS: f32 = 6.0;
/// Position uncertainty of a track just seen, pixels.
const SIGMA_SEEN: f32 = 2.0;

/// A resting track at (x, y), its position known to `sigma` pixels, unseen for `unseen_s`.
fn track_view(x: f32, y: f32, sigma: f32, radius: f32, unseen_s: f64) -> TrackView {
    TrackView::At {
        prediction: Prediction {
            x,
            y,
            vx: 0.0,
            vy: 0.0,
            sigma_x: sigma,
            sigma_y: sigma,
            radius,
        },
        unseen_s,
    }
}

/// A track at (x, y) unseen for `unseen_s` seconds.
fn coasting(x: f32, y: f32, unseen_s: f64) -> TrackView {
    track_view(x, y, SIGMA_SEEN, BALL_RADIUS, unseen_s)
}

/// Runs a decision through a fake machine whose costs are given per class.
fn run(s: &mut Scheduler, d: &Decision, cost: impl Fn(CostClass) -> u64) {
    for j in d.jobs() {
        s.record(j.class, cost(j.class));
    }
}

#[test]
fn tracking_uses_a_native_roi_around_the_prediction() {
    let mut s = sched(Preset::Phone30Fps);
    let d = s.decide(1920, 1080, pred(1000.0, 500.0), Lookout::default());
    assert_eq!(d.mode, DetectorMode::Roi);
    let j = d.jobs().next().unwrap();
    assert_eq!((j.region.width, j.region.height), (192, 192));
    assert_eq!((j.region.x, j.region.y), (904, 404));
    // Near an edge the region stays inside the frame.
    let d = s.decide(1920, 1080, pred(5.0, 1079.0), Lookout::default());
    let j = d.jobs().next().unwrap();
    assert_eq!((j.region.x, j.region.y), (0, 1080 - 192));
}

#[test]
fn lookout_adds_a_rival_roi_and_search_within_the_budget() {
    let mut s = sched(Preset::Phone30Fps); // budget 8 ms
    let costs = |c: CostClass| match c {
        CostClass::Roi => 2_000,
        CostClass::RoiSmall => 1_000,
        CostClass::Full | CostClass::Tile => 3_000,
    };
    let rival = match pred(1500.0, 300.0) {
        TrackView::At { prediction, .. } => prediction,
        TrackView::None => unreachable!(),
    };
    let lookout = Lookout {
        rival: Some(rival),
        search: true,
    };
    // Learn the costs first.
    for _ in 0..12 {
        let d = s.decide(1920, 1080, pred(500.0, 500.0), lookout);
        run(&mut s, &d, costs);
    }
    let d = s.decide(1920, 1080, pred(500.0, 500.0), lookout);
    let classes: Vec<CostClass> = d.jobs().map(|j| j.class).collect();
    assert_eq!(classes[0], CostClass::Roi, "{classes:?}");
    assert_eq!(classes[1], CostClass::RoiSmall, "{classes:?}");
    let rj = d.jobs().nth(1).unwrap();
    let (cx, cy) = (
        rj.region.x as f32 + rj.region.width as f32 / 2.0,
        rj.region.y as f32 + rj.region.height as f32 / 2.0,
    );
    assert!(
        (cx - 1500.0).abs() < 2.0 && (cy - 300.0).abs() < 2.0,
        "{rj:?}"
    );
    assert!(
        classes[2..]
            .iter()
            .all(|c| matches!(c, CostClass::Full | CostClass::Tile))
            && classes.len() == 3,
        "one search job fits the rest of the 8 ms: {classes:?}"
    );
    assert!(d.estimated_us <= 8_000, "{d:?}");
    // No lookout: the ROI alone.
    let d = s.decide(1920, 1080, pred(500.0, 500.0), Lookout::default());
    assert_eq!(d.jobs().count(), 1);
}

#[test]
fn search_after_a_loss_starts_near_the_last_prediction() {
    let mut s = sched(Preset::Phone30Fps);
    let costs = |c: CostClass| if c == CostClass::Tile { 3_000 } else { 1_500 };
    // Track a ball at the lower right for a while.
    for _ in 0..5 {
        let d = s.decide(1920, 1080, pred(1700.0, 900.0), Lookout::default());
        run(&mut s, &d, costs);
    }
    // Lost: the first search job is the tile around (1700, 900), not the whole frame or
    // the top-left tile.
    let d = s.decide(1920, 1080, TrackView::None, Lookout::default());
    let j = d.jobs().next().unwrap();
    assert_eq!(j.class, CostClass::Tile, "{d:?}");
    let r = j.region;
    assert!(
        r.x <= 1700 && 1700 < r.x + r.width as i32 && r.y <= 900 && 900 < r.y + r.height as i32,
        "{r:?}"
    );
    // The cycle then goes on from there and still covers every tile.
    let mut seen = std::collections::HashSet::new();
    for _ in 0..s.search_cycle_len() {
        let d = s.decide(1920, 1080, TrackView::None, Lookout::default());
        for j in d.jobs() {
            seen.insert((j.region.x, j.region.y, j.class == CostClass::Full));
        }
        run(&mut s, &d, costs);
    }
    assert_eq!(seen.len(), s.search_cycle_len(), "{seen:?}");
}

#[test]
fn over_budget_skips_then_recovers() {
    let mut s = sched(Preset::Phone30Fps); // budget 8 ms
    let costs = |c: CostClass| if c == CostClass::Roi { 3_000 } else { 1_000 };
    for _ in 0..5 {
        let d = s.decide(1920, 1080, pred(500.0, 500.0), Lookout::default());
        assert_eq!(d.mode, DetectorMode::Roi);
        run(&mut s, &d, costs);
    }
    // A hiccup: one run costs 30 ms (the phone was busy).
    let d = s.decide(1920, 1080, pred(500.0, 500.0), Lookout::default());
    run(&mut s, &d, |_| 30_000);
    let mut modes = Vec::new();
    for _ in 0..8 {
        let d = s.decide(1920, 1080, pred(500.0, 500.0), Lookout::default());
        modes.push(d.mode);
        run(&mut s, &d, costs);
    }
    assert_eq!(modes[0], DetectorMode::Skip, "{modes:?}");
    assert!(modes.contains(&DetectorMode::Skip));
    assert_eq!(
        *modes.last().unwrap(),
        DetectorMode::Roi,
        "recovers: {modes:?}"
    );
}

#[test]
fn tight_budget_shrinks_the_roi() {
    let mut s = sched(Preset::Phone30Fps);
    // Learn that the big ROI costs more than the budget but the small one fits.
    let d = s.decide(1920, 1080, pred(500.0, 500.0), Lookout::default());
    run(&mut s, &d, |_| 9_000);
    s.record(CostClass::RoiSmall, 3_000);
    let mut saw_small = false;
    for _ in 0..6 {
        let d = s.decide(1920, 1080, pred(500.0, 500.0), Lookout::default());
        if let Some(j) = d.jobs().next() {
            saw_small |= j.class == CostClass::RoiSmall;
            assert_eq!(j.region.width, 128);
        }
        run(
            &mut s,
            &d,
            |c| if c == CostClass::Roi { 9_000 } else { 3_000 },
        );
    }
    assert!(saw_small);
}

#[test]
fn lost_searches_full_then_tiles_and_covers_the_frame() {
    let mut s = sched(Preset::Phone30Fps);
    let cycle = {
        s.decide(1920, 1080, TrackView::None, Lookout::default());
        s.search_cycle_len()
    };
    s.reset();
    let mut covered = vec![false; s.tiles().len()];
    let mut saw_full = false;
    for _ in 0..cycle {
        let d = s.decide(1920, 1080, TrackView::None, Lookout::default());
        assert!(d.mode == DetectorMode::Full || d.mode == DetectorMode::Tile);
        for j in d.jobs() {
            saw_full |= j.whole_frame;
            if let Some(i) = s
                .tiles()
                .iter()
                .position(|t| *t == j.region && !j.whole_frame)
            {
                covered[i] = true;
            }
        }
        run(
            &mut s,
            &d,
            |c| if c == CostClass::Full { 7_000 } else { 6_000 },
        );
    }
    assert!(saw_full);
    assert!(
        covered.iter().all(|&c| c),
        "all tiles within {cycle} frames: {covered:?}"
    );
    // Tiles cover every pixel of the frame.
    for y in (0..1080).step_by(7) {
        for x in (0..1920).step_by(7) {
            assert!(s.tiles().iter().any(|t| x >= t.x
                && y >= t.y
                && x < t.x + t.width as i32
                && y < t.y + t.height as i32));
        }
    }
}

#[test]
fn a_long_coasting_track_searches_even_when_its_roi_fills_the_budget() {
    let mut s = sched(Preset::Phone30Fps); // budget 8 ms
    let costs = |c: CostClass| match c {
        CostClass::Roi => 5_000,
        CostClass::RoiSmall => 2_000,
        _ => 6_000,
    };
    let mut searched = 0;
    let mut tracked = 0;
    for i in 0..20 {
        let d = s.decide(
            1920,
            1080,
            coasting(500.0 + i as f32, 500.0, 1.0),
            Lookout::default(),
        );
        searched += usize::from(d.mode == DetectorMode::Tile || d.mode == DetectorMode::Full);
        tracked += usize::from(d.mode == DetectorMode::Roi);
        run(&mut s, &d, costs);
    }
    // The ROI (5 ms) and a tile (6 ms) never fit together in 8 ms: frames alternate.
    assert!(searched >= 8, "searched on {searched} of 20 frames");
    assert!(tracked >= 8, "tracked on {tracked} of 20 frames");
}

#[test]
fn a_whole_frame_pass_over_the_budget_gives_way_to_tiles() {
    let mut s = sched(Preset::Phone30Fps); // budget 8 ms
    let costs = |c: CostClass| if c == CostClass::Full { 9_000 } else { 3_000 };
    let mut over = 0;
    let mut fulls = 0;
    for i in 0..60 {
        let d = s.decide(1920, 1080, TrackView::None, Lookout::default());
        assert!(
            d.jobs().next().is_some(),
            "frame {i}: the search never stops"
        );
        let spent: u64 = d.jobs().map(|j| costs(j.class)).sum();
        fulls += d.jobs().filter(|j| j.whole_frame).count();
        if i > 0 && spent > 8_000 {
            over += 1;
        }
        run(&mut s, &d, costs);
    }
    assert_eq!(fulls, 1, "measured once, then left to the tiles");
    assert_eq!(over, 0);
    // Its mean alone (9 ms) is over the budget, so it stays out.
    assert!(s.planned_cost(CostClass::Full) > 8_000.0);
}

#[test]
fn search_never_plans_over_the_budget_once_costs_are_known() {
    let mut s = sched(Preset::Phone60Fps);
    let costs = |c: CostClass| match c {
        CostClass::Full => 3_500,
        CostClass::Tile => 2_500,
        _ => 1_000,
    };
    for i in 0..200 {
        let d = s.decide(1280, 720, TrackView::None, Lookout::default());
        if i > 10 {
            assert!(d.estimated_us as f64 <= 2.0 * 4_000.0, "frame {i}: {d:?}");
        }
        run(&mut s, &d, costs);
    }
}

/// Frames (after warm-up) whose jobs actually cost more than the budget, with tile costs
/// alternating 1.2 ms / 2.8 ms and the given margin, while tracking a resting ball that
/// asks for a lookout search.
fn overruns_with_noisy_costs(margin: f32) -> usize {
    let mut c = Config::preset(Preset::Phone30Fps);
    c.schedule.cost_margin = margin;
    c.schedule.roi_fit_small = false;
    c.schedule.pack_fill = 1.0;
    let budget = c.schedule.budget_us;
    let mut s = Scheduler::new(c.schedule, c.detector);
    let mut over = 0;
    for i in 0..400u64 {
        let look = Lookout {
            rival: None,
            search: true,
        };
        let d = s.decide(1920, 1080, pred(900.0, 500.0), look);
        let mut spent = 0;
        for (k, j) in d.jobs().enumerate() {
            let cost = match j.class {
                CostClass::Roi => 1_500,
                _ if (i + k as u64).is_multiple_of(2) => 1_200,
                _ => 2_800,
            };
            s.record(j.class, cost);
            spent += cost;
        }
        if i > 20 && spent > budget {
            over += 1;
        }
    }
    over
}

/// Frames (after warm-up) over the budget while a confident track runs the small region
/// with a lookout search, when one tile run in eight is 35% slower than the others (a
/// heavy tail the rolling deviation does not cover), packing frames to `fill`.
fn overruns_with_slow_outliers(fill: f32) -> (usize, usize) {
    let mut c = Config::preset(Preset::Phone30Fps);
    c.schedule.pack_fill = fill;
    let budget = c.schedule.budget_us;
    let mut s = Scheduler::new(c.schedule, c.detector);
    let look = Lookout {
        rival: None,
        search: true,
    };
    let (mut over, mut tiles, mut n) = (0, 0, 0u64);
    for i in 0..400 {
        let d = s.decide(1920, 1080, pred_sigma(900.0, 500.0, 2.0), look);
        let mut spent = 0;
        for j in d.jobs() {
            let cost = match j.class {
                CostClass::RoiSmall => 1_000,
                _ => {
                    n += 1;
                    tiles += usize::from(i > 20);
                    if n.is_multiple_of(8) {
                        4_050
                    } else {
                        3_000
                    }
                }
            };
            s.record(j.class, cost);
            spent += cost;
        }
        if i > 20 && spent > budget {
            over += 1;
        }
    }
    (over, tiles)
}

#[test]
fn packed_frames_leave_room_for_a_slow_run() {
    let (over_full, _) = overruns_with_slow_outliers(1.0);
    let (over_packed, tiles) = overruns_with_slow_outliers(PACK_FILL);
    assert!(
        over_full > 10,
        "packing to the budget overruns: {over_full}"
    );
    assert_eq!(over_packed, 0, "the packing share absorbs the slow runs");
    assert!(tiles > 300, "the lookout search still runs: {tiles} tiles");
}

#[test]
fn the_cost_margin_keeps_noisy_frames_inside_the_budget() {
    let mean_only = overruns_with_noisy_costs(0.0);
    let with_margin = overruns_with_noisy_costs(COST_MARGIN_DEVIATIONS);
    assert!(
        mean_only > 50,
        "mean-only planning overruns often: {mean_only}"
    );
    assert_eq!(with_margin, 0, "the margin absorbs the variation");
}

#[test]
fn a_big_roi_kept_out_by_slow_runs_comes_back() {
    let mut s = sched(Preset::Phone30Fps); // budget 8 ms
    for _ in 0..5 {
        let d = s.decide(1920, 1080, pred(500.0, 500.0), Lookout::default());
        run(&mut s, &d, |_| 3_000);
    }
    // A few slow runs (a busy phone) inflate the margin beyond the budget.
    for _ in 0..3 {
        let d = s.decide(1920, 1080, pred(500.0, 500.0), Lookout::default());
        run(&mut s, &d, |_| 7_900);
    }
    assert!(s.planned_cost(CostClass::Roi) > 8_000.0);
    let mut classes = Vec::new();
    for _ in 0..12 {
        let d = s.decide(1920, 1080, pred(500.0, 500.0), Lookout::default());
        classes.push(d.jobs().next().map(|j| j.class));
        run(
            &mut s,
            &d,
            |c| if c == CostClass::Roi { 3_000 } else { 1_000 },
        );
    }
    assert!(classes.contains(&Some(CostClass::RoiSmall)), "{classes:?}");
    assert_eq!(
        classes.last(),
        Some(&Some(CostClass::Roi)),
        "the big ROI is back: {classes:?}"
    );
}

#[test]
fn a_search_costlier_than_any_credit_still_runs_and_is_remeasured() {
    let mut s = sched(Preset::Phone30Fps); // budget 8 ms, credit cap 16 ms
                                           // One very slow cold run: the estimate jumps above the largest possible credit.
    let d = s.decide(1920, 1080, TrackView::None, Lookout::default());
    run(&mut s, &d, |_| 50_000);
    let mut ran = 0;
    for _ in 0..40 {
        let d = s.decide(1920, 1080, TrackView::None, Lookout::default());
        ran += d.jobs().count();
        run(
            &mut s,
            &d,
            |c| if c == CostClass::Full { 7_000 } else { 6_000 },
        );
    }
    assert!(ran >= 10, "search starved: {ran} runs in 40 frames");
}

#[test]
fn centred_region_handles_small_frames_and_nan() {
    let r = centred_region(f32::NAN, 10.0, 192, 192, 100, 80);
    assert_eq!((r.x, r.y), (-46, -56));
    let r = centred_region(50.0, 50.0, 20, 20, 100, 100);
    assert_eq!((r.x, r.y), (40, 40));
}
