// The Android shell's pure-Kotlin parts (android/app/src/pure/kotlin), tested on the JVM by
// tests/tests/android_pure_kotlin.rs: plane packing and preset choice. (The view geometry, the
// lifecycle and the HUD statistics are the core's, tested in Rust and through the bindings.)

import app.ballcam.pure.DeviceClass
import app.ballcam.pure.PlaneLayout
import app.ballcam.pure.PlanePacker
import app.ballcam.pure.PresetChoice
import app.ballcam.pure.choosePreset
import app.ballcam.pure.yuv420Problem
import java.nio.ByteBuffer

fun ensure(cond: Boolean, msg: () -> String) {
    if (!cond) throw AssertionError(msg())
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

fun main() {
    testPlanePacker()
    testPresetChoice()
    println("ALL ANDROID PURE KOTLIN TESTS PASSED")
}
