// The Android shell's pure-Kotlin parts (android/app/src/pure/kotlin), tested on the JVM by
// tests/tests/android_pure_kotlin.rs: crop-to-preview transform, plane packing, preset choice,
// HUD statistics.

import app.ballcam.pure.CropTransform
import app.ballcam.pure.DeviceClass
import app.ballcam.pure.FrameStats
import app.ballcam.pure.PlaneLayout
import app.ballcam.pure.PlanePacker
import app.ballcam.pure.PresetChoice
import app.ballcam.pure.Rect
import app.ballcam.pure.ViewTransform
import app.ballcam.pure.choosePreset
import app.ballcam.pure.yuv420Problem
import java.nio.ByteBuffer
import kotlin.math.abs

fun near(a: Double, b: Double, eps: Double = 1e-6) = abs(a - b) <= eps

fun ensure(cond: Boolean, msg: () -> String) {
    if (!cond) throw AssertionError(msg())
}

fun testCropTransform() {
    // 1280x720 frame on a 1280x720 view: base mapping is the identity.
    val same = CropTransform(1280.0, 720.0, 1280.0, 720.0)
    ensure(near(same.baseScale, 1.0) && near(same.baseX, 0.0) && near(same.baseY, 0.0)) { "identity base" }
    ensure(same.forCrop(Rect(0.0, 0.0, 1280.0, 720.0)) == ViewTransform(1.0, 0.0, 0.0)) { "full crop is identity" }
    // Half-size crop in the middle: scale 2, its centre at the view centre.
    val t = same.forCrop(Rect(320.0, 180.0, 640.0, 360.0))
    ensure(near(t.scale, 2.0) && near(t.tx, -640.0) && near(t.ty, -360.0)) { "centred crop: $t" }
    // The crop's corners land on the view's corners.
    val (x0, y0) = same.map(t, 320.0, 180.0)
    val (x1, y1) = same.map(t, 960.0, 540.0)
    ensure(near(x0, 0.0) && near(y0, 0.0) && near(x1, 1280.0) && near(y1, 720.0)) { "corners $x0,$y0 $x1,$y1" }
    // A crop at the top-left corner: the translation is clamped so the frame still covers the view.
    val corner = same.forCrop(Rect(-50.0, -20.0, 640.0, 360.0))
    ensure(corner.tx <= 0.0 && corner.ty <= 0.0 && near(corner.tx, 0.0) && near(corner.ty, 0.0)) { "corner clamp: $corner" }
    val far = same.forCrop(Rect(1000.0, 600.0, 640.0, 360.0))
    ensure(near(far.scale * 1280.0 + far.tx, 1280.0) && near(far.scale * 720.0 + far.ty, 720.0)) { "far clamp: $far" }
    // Never zooms out: a crop bigger than the frame gives scale 1.
    ensure(near(same.forCrop(Rect(0.0, 0.0, 4000.0, 3000.0)).scale, 1.0)) { "no zoom-out" }
    // Degenerate crop: identity.
    ensure(same.forCrop(Rect(0.0, 0.0, 0.0, 10.0)) == ViewTransform.IDENTITY) { "empty crop" }
    // Portrait view (1080x1920) showing a portrait upright frame (720x1280), fill-centre.
    val portrait = CropTransform(720.0, 1280.0, 1080.0, 1920.0)
    ensure(near(portrait.baseScale, 1.5) && near(portrait.baseX, 0.0) && near(portrait.baseY, 0.0)) { "portrait base" }
    val pt = portrait.forCrop(Rect(180.0, 320.0, 360.0, 640.0))
    val (px, py) = portrait.map(pt, 360.0, 640.0)
    ensure(near(pt.scale, 2.0) && near(px, 540.0) && near(py, 960.0)) { "portrait: $pt -> $px,$py" }
    // A 16:9 frame on a 4:3 view: fill-centre crops the sides.
    val wide = CropTransform(1920.0, 1080.0, 800.0, 600.0)
    ensure(near(wide.baseScale, 600.0 / 1080.0) && wide.baseX < 0 && near(wide.baseY, 0.0)) { "wide base" }
    var failed = false
    try {
        CropTransform(0.0, 1.0, 1.0, 1.0)
    } catch (e: IllegalArgumentException) {
        failed = true
    }
    ensure(failed) { "zero frame size accepted" }
    println("  crop transform ok")
}

fun testPlanePacker() {
    val packer = PlanePacker()
    val direct = ByteBuffer.allocateDirect(10)
    for (i in 0 until 10) direct.put(i.toByte())
    direct.position(4) // a consumer moved it: the view still starts at 0
    val a = packer.direct(0, direct)
    ensure(a.isDirect && a.position() == 0 && a.remaining() == 10 && a.get(9) == 9.toByte()) { "direct view $a" }
    ensure(direct.position() == 4) { "position of the camera buffer changed" }
    direct.put(0, 42)
    ensure(a.get(0) == 42.toByte()) { "a direct buffer is shared, not copied" }
    // Heap buffers are copied into a reused direct buffer.
    val heap = ByteBuffer.wrap(ByteArray(12) { it.toByte() })
    val b = packer.direct(1, heap)
    ensure(b.isDirect && b.remaining() == 12 && b.get(11) == 11.toByte()) { "heap copy $b" }
    heap.put(0, 99)
    val c = packer.direct(1, heap)
    ensure(c === b && c.get(0) == 99.toByte() && c.position() == 0) { "copy reused" }
    val d = packer.direct(1, ByteArray(5) { 7 })
    ensure(d !== b && d.remaining() == 5 && d.get(4) == 7.toByte()) { "resized copy" }
    // YUV_420_888 layouts.
    val y = PlaneLayout(1344, 1, 1344 * 719 + 1280)
    val uv2 = PlaneLayout(1344, 2, 1344 * 359 + 1279)
    ensure(yuv420Problem(1280, 720, y, uv2, uv2) == null) { "interleaved ok" }
    ensure(yuv420Problem(1280, 720, y, PlaneLayout(640, 1, 640 * 360), PlaneLayout(640, 1, 640 * 360)) == null) { "planar ok" }
    ensure(yuv420Problem(1280, 720, y, uv2, PlaneLayout(1344, 1, 10))?.contains("pixel strides") == true) { "mismatch" }
    ensure(yuv420Problem(1280, 720, PlaneLayout(1000, 1, 0), uv2, uv2)?.contains("row stride") == true) { "short stride" }
    println("  plane packing ok")
}

fun testPresetChoice() {
    val flagship = DeviceClass(cores = 8, totalRamMb = 8192, lowRamDevice = false, sdkInt = 34, camera60Fps = true)
    ensure(choosePreset(flagship) == PresetChoice.PHONE_60FPS) { "flagship" }
    ensure(choosePreset(flagship.copy(camera60Fps = false)) == PresetChoice.PHONE_30FPS) { "no 60 fps camera" }
    ensure(choosePreset(flagship.copy(cores = 4)) == PresetChoice.PHONE_30FPS) { "few cores" }
    ensure(choosePreset(flagship.copy(totalRamMb = 3072)) == PresetChoice.PHONE_30FPS) { "little RAM" }
    ensure(choosePreset(flagship.copy(lowRamDevice = true)) == PresetChoice.PHONE_30FPS) { "low RAM flag" }
    ensure(choosePreset(flagship.copy(sdkInt = 26)) == PresetChoice.PHONE_30FPS) { "old Android" }
    ensure(PresetChoice.PHONE_30FPS.configName == "phone-30fps" && PresetChoice.PHONE_60FPS.targetFps == 60) { "names" }
    println("  preset choice ok")
}

fun testFrameStats() {
    val s = FrameStats(smoothing = 0.5)
    s.add(0, 5_000, 8_000)
    ensure(s.fps == 0.0 && near(s.engineMs, 5.0) && near(s.latencyMs, 8.0)) { "first" }
    s.add(33_333, 7_000, 10_000)
    ensure(near(s.fps, 30.0, 0.01) && near(s.engineMs, 6.0) && near(s.latencyMs, 9.0)) { "second: ${s.hudText()}" }
    s.add(50_000, 6_000, 9_000)
    ensure(near(s.fps, 45.0, 0.05)) { "third: ${s.fps}" }
    ensure(s.hudText() == "45 fps · engine 6.0 ms · latency 9.0 ms") { s.hudText() }
    s.add(50_000, 6_000, 9_000) // repeated timestamp: fps unchanged
    ensure(near(s.fps, 45.0, 0.05) && s.frames == 4L) { "repeat" }
    s.reset()
    ensure(s.frames == 0L && s.fps == 0.0) { "reset" }
    println("  frame stats ok")
}

fun main() {
    testCropTransform()
    testPlanePacker()
    testPresetChoice()
    testFrameStats()
    println("ALL ANDROID PURE KOTLIN TESTS PASSED")
}
