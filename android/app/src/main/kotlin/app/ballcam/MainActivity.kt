package app.ballcam

import android.Manifest
import android.app.ActivityManager
import android.content.pm.PackageManager
import android.hardware.camera2.CameraCharacteristics
import android.hardware.camera2.CameraManager
import android.os.Build
import android.os.Bundle
import android.util.Log
import android.util.Range
import android.util.Size
import android.view.View
import android.widget.Button
import android.widget.TextView
import androidx.activity.result.contract.ActivityResultContracts
import androidx.appcompat.app.AppCompatActivity
import androidx.appcompat.widget.SwitchCompat
import androidx.camera.core.CameraSelector
import androidx.camera.core.ImageAnalysis
import androidx.camera.core.Preview
import androidx.camera.core.resolutionselector.AspectRatioStrategy
import androidx.camera.core.resolutionselector.ResolutionSelector
import androidx.camera.core.resolutionselector.ResolutionStrategy
import androidx.camera.lifecycle.ProcessCameraProvider
import androidx.camera.view.PreviewView
import androidx.core.content.ContextCompat
import app.ballcam.ffi.BallcamEngine
import app.ballcam.ffi.FrameResult
import app.ballcam.ffi.LogLevel
import app.ballcam.ffi.Preset
import app.ballcam.ffi.setLogSink
import app.ballcam.pure.CropTransform
import app.ballcam.pure.DeviceClass
import app.ballcam.pure.FrameStats
import app.ballcam.pure.PresetChoice
import app.ballcam.pure.ViewTransform
import app.ballcam.pure.choosePreset
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors

/**
 * Camera permission flow, CameraX Preview + ImageAnalysis, the engine on the analysis thread,
 * and the virtual camera: the engine's crop applied to the PreviewView as scale + translation.
 * The overlay toggle shows the whole frame with the ball and the crop drawn on it instead.
 */
class MainActivity : AppCompatActivity() {
    private lateinit var preview: PreviewView
    private lateinit var overlay: OverlayView
    private lateinit var hud: TextView
    private lateinit var overlayToggle: SwitchCompat
    private lateinit var grant: Button
    private val analysisExecutor: ExecutorService = Executors.newSingleThreadExecutor()
    private var engine: BallcamEngine? = null
    private val stats = FrameStats()
    private lateinit var choice: PresetChoice

    private val permission = registerForActivityResult(ActivityResultContracts.RequestPermission()) { granted ->
        if (granted) startCamera() else showGrant()
    }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.activity_main)
        preview = findViewById(R.id.preview)
        overlay = findViewById(R.id.overlay)
        hud = findViewById(R.id.hud)
        overlayToggle = findViewById(R.id.overlayToggle)
        grant = findViewById(R.id.grant)
        preview.scaleType = PreviewView.ScaleType.FILL_CENTER
        preview.pivotX = 0f
        preview.pivotY = 0f
        overlayToggle.setOnCheckedChangeListener { _, _ -> overlay.invalidate() }
        grant.setOnClickListener { permission.launch(Manifest.permission.CAMERA) }
        setLogSink(LogcatSink(), LogLevel.INFO)
        choice = choosePreset(deviceClass())
        if (hasCameraPermission()) startCamera() else permission.launch(Manifest.permission.CAMERA)
    }

    override fun onDestroy() {
        super.onDestroy()
        analysisExecutor.execute {
            engine?.close()
            engine = null
        }
        analysisExecutor.shutdown()
    }

    private fun hasCameraPermission() =
        ContextCompat.checkSelfPermission(this, Manifest.permission.CAMERA) == PackageManager.PERMISSION_GRANTED

    private fun showGrant() {
        grant.visibility = View.VISIBLE
        hud.setText(R.string.permission_needed)
    }

    /** The device's class, for the preset. */
    private fun deviceClass(): DeviceClass {
        val am = getSystemService(ActivityManager::class.java)
        val memory = ActivityManager.MemoryInfo().also { am.getMemoryInfo(it) }
        return DeviceClass(
            cores = Runtime.getRuntime().availableProcessors(),
            totalRamMb = memory.totalMem / (1024 * 1024),
            lowRamDevice = am.isLowRamDevice,
            sdkInt = Build.VERSION.SDK_INT,
            camera60Fps = backCameraDoes60Fps(),
        )
    }

    private fun backCameraDoes60Fps(): Boolean = try {
        val cm = getSystemService(CameraManager::class.java)
        cm.cameraIdList.any { id ->
            val c = cm.getCameraCharacteristics(id)
            c.get(CameraCharacteristics.LENS_FACING) == CameraCharacteristics.LENS_FACING_BACK &&
                c.get(CameraCharacteristics.CONTROL_AE_AVAILABLE_TARGET_FPS_RANGES).orEmpty().any { it.upper >= 60 }
        }
    } catch (e: Exception) {
        false
    }

    private fun startCamera() {
        grant.visibility = View.GONE
        // The engine prepares the model (a few hundred ms): build it on the analysis thread.
        analysisExecutor.execute {
            val preset = if (choice == PresetChoice.PHONE_60FPS) Preset.PHONE60_FPS else Preset.PHONE30_FPS
            val e = try {
                BallcamEngine(preset)
            } catch (ex: Exception) {
                Log.e("Ballcam", "engine: ${ex.message}")
                runOnUiThread { hud.text = "engine failed: ${ex.message}" }
                return@execute
            }
            engine = e
            runOnUiThread { bindCamera(e) }
        }
    }

    private fun bindCamera(engine: BallcamEngine) {
        val providerFuture = ProcessCameraProvider.getInstance(this)
        providerFuture.addListener({
            val provider = providerFuture.get()
            val resolution = ResolutionSelector.Builder()
                .setAspectRatioStrategy(AspectRatioStrategy.RATIO_16_9_FALLBACK_AUTO_STRATEGY)
                .setResolutionStrategy(
                    ResolutionStrategy(Size(1280, 720), ResolutionStrategy.FALLBACK_RULE_CLOSEST_HIGHER_THEN_LOWER),
                )
                .build()
            val fps = Range(choice.targetFps, choice.targetFps)
            val previewUseCase = Preview.Builder()
                .setResolutionSelector(resolution)
                .setTargetFrameRate(fps)
                .build()
                .also { it.setSurfaceProvider(preview.surfaceProvider) }
            val analysis = ImageAnalysis.Builder()
                .setResolutionSelector(resolution)
                .setBackpressureStrategy(ImageAnalysis.STRATEGY_KEEP_ONLY_LATEST)
                .setOutputImageFormat(ImageAnalysis.OUTPUT_IMAGE_FORMAT_YUV_420_888)
                .build()
            analysis.setAnalyzer(analysisExecutor, BallAnalyzer(engine) { r, latencyUs -> runOnUiThread { publish(r, latencyUs) } })
            provider.unbindAll()
            provider.bindToLifecycle(this, CameraSelector.DEFAULT_BACK_CAMERA, previewUseCase, analysis)
            preview.addOnLayoutChangeListener { _, l, t, r, b, _, _, _, _ ->
                analysisExecutor.execute { this.engine?.setAspect((r - l).toUInt(), (b - t).toUInt()) }
            }
        }, ContextCompat.getMainExecutor(this))
    }

    /** On the UI thread: moves the virtual camera and updates the overlay and the HUD. */
    private fun publish(r: FrameResult, latencyUs: Long) {
        val vw = preview.width.toDouble()
        val vh = preview.height.toDouble()
        if (vw <= 0 || vh <= 0) return
        val mapping = CropTransform(r.frameWidth.toDouble(), r.frameHeight.toDouble(), vw, vh)
        val crop = app.ballcam.pure.Rect(r.crop.x, r.crop.y, r.crop.width, r.crop.height)
        val showOverlay = overlayToggle.isChecked
        val t = if (showOverlay) ViewTransform.IDENTITY else mapping.forCrop(crop)
        preview.scaleX = t.scale.toFloat()
        preview.scaleY = t.scale.toFloat()
        preview.translationX = t.tx.toFloat()
        preview.translationY = t.ty.toFloat()
        overlay.visibility = if (showOverlay) View.VISIBLE else View.INVISIBLE
        if (showOverlay) overlay.show(r, mapping, t)
        stats.add(r.timestampUs, r.timings.totalUs.toLong(), latencyUs)
        hud.text = "${choice.configName} · ${stats.hudText()}\n${r.state.name.lowercase()} · ${r.mode.name.lowercase()}"
    }
}
