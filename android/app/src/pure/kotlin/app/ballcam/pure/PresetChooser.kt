package app.ballcam.pure

/** The engine preset for a phone (maps 1:1 to the FFI's `Preset`). */
enum class PresetChoice(val configName: String, val targetFps: Int) {
    PHONE_30FPS("phone-30fps", 30),
    PHONE_60FPS("phone-60fps", 60),
}

/** What the app knows about the device, gathered from the Android APIs. */
data class DeviceClass(
    val cores: Int,
    val totalRamMb: Long,
    val lowRamDevice: Boolean,
    val sdkInt: Int,
    /** The back camera offers 60 fps at the analysis resolution. */
    val camera60Fps: Boolean,
)

/**
 * Chooses the preset from the device's class: 60 fps only on devices that can film at 60 fps and
 * have the cores and memory to spare (8+ cores, 6+ GB, not low-RAM, Android 10+); everything else
 * runs at 30 fps, the engine's default phone budget.
 */
fun choosePreset(d: DeviceClass): PresetChoice =
    if (d.camera60Fps && !d.lowRamDevice && d.cores >= 8 && d.totalRamMb >= 6 * 1024 && d.sdkInt >= 29) {
        PresetChoice.PHONE_60FPS
    } else {
        PresetChoice.PHONE_30FPS
    }
