package app.ballcam

import android.Manifest
import android.app.ActivityManager
import android.content.pm.PackageManager
import android.content.res.Configuration
import android.hardware.camera2.CameraCharacteristics
import android.hardware.camera2.CameraManager
import android.hardware.display.DisplayManager
import android.os.Build
import android.os.Bundle
import android.os.Environment
import android.util.Log
import android.util.Range
import android.util.Size
import android.view.Surface
import android.view.View
import android.widget.AdapterView
import android.widget.Button
import android.widget.Spinner
import android.widget.TextView
import android.widget.Toast
import androidx.activity.result.contract.ActivityResultContracts
import androidx.appcompat.app.AppCompatActivity
import androidx.appcompat.widget.SwitchCompat
import androidx.camera.core.AspectRatio
import androidx.camera.core.CameraSelector
import androidx.camera.core.ImageAnalysis
import androidx.camera.core.Preview
import androidx.camera.core.resolutionselector.AspectRatioStrategy
import androidx.camera.core.resolutionselector.ResolutionSelector
import androidx.camera.core.resolutionselector.ResolutionStrategy
import androidx.camera.lifecycle.ProcessCameraProvider
import androidx.camera.video.FallbackStrategy
import androidx.camera.video.FileOutputOptions
import androidx.camera.video.Quality
import androidx.camera.video.QualitySelector
import androidx.camera.video.Recorder
import androidx.camera.video.Recording
import androidx.camera.video.VideoCapture
import androidx.camera.video.VideoRecordEvent
import androidx.camera.view.PreviewView
import androidx.core.content.ContextCompat
import app.ballcam.ffi.Ball
import app.ballcam.ffi.BallcamEngine
import app.ballcam.ffi.FrameResult
import app.ballcam.ffi.LogLevel
import app.ballcam.ffi.Preset
import app.ballcam.ffi.ScaleMode
import app.ballcam.ffi.ViewTransform
import app.ballcam.ffi.setLogSink
import app.ballcam.ffi.viewTransform
import app.ballcam.pure.DeviceClass
import app.ballcam.pure.PresetChoice
import app.ballcam.pure.choosePreset
import java.io.File
import java.text.SimpleDateFormat
import java.util.Date
import java.util.Locale
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicReference

/**
 * Camera permission, CameraX (Preview + ImageAnalysis + VideoCapture), the engine on the analysis
 * thread, and the virtual camera: each result's `view` transform (computed by the engine for the
 * size reported with `setView`) applied to the PreviewView. The engine decides everything about
 * the lifecycle; this activity reports events: the view's size (from a layout listener registered
 * before the first layout), the camera starting, the app going to the background; and keeps the
 * use cases' target rotation on the display's (the activity handles rotation itself, so it is not
 * recreated and the camera keeps running). The Record button films the full frame and writes the
 * crop path beside the video (`match-<time>.mp4` and `.csv` in the app's Movies folder). The sport
 * picker chooses the embedded detector (`setBall`); "Collect hard frames" turns on the engine's
 * hard-case capture (`setCapture`) and Export writes what it kept as a labelling queue
 * (`queue-<time>/` in the app's files folder: images, labels.csv, manifest.json, and the
 * telemetry.json that `ballcam report` reads); nothing leaves the phone otherwise. Both choices
 * are kept across launches.
 */
class MainActivity : AppCompatActivity() {
    private lateinit var preview: PreviewView
    private lateinit var overlay: OverlayView
    private lateinit var hud: TextView
    private lateinit var overlayToggle: SwitchCompat
    private lateinit var record: Button
    private lateinit var grant: Button
    private lateinit var ballPicker: Spinner
    private lateinit var collect: SwitchCompat
    private lateinit var export: Button
    private lateinit var choice: PresetChoice
    private val analysisExecutor: ExecutorService = Executors.newSingleThreadExecutor()

    /** Read and written only on the analysis executor. */
    private var engine: BallcamEngine? = null

    /** Frames published (analysis executor only). */
    private var frames = 0L

    /** The preview view's last size (set on the UI thread, read by the engine's builder). */
    private val viewSize = AtomicReference<Size?>(null)

    /** The latest result and HUD line for the UI, and whether a UI update is already posted:
     * at most one post in flight, whatever the frame rate (coalescing). */
    private val latest = AtomicReference<FrameResult?>(null)
    private val hudText = AtomicReference<String?>(null)
    private val uiPosted = AtomicBoolean(false)

    // UI thread only.
    private var analysis: ImageAnalysis? = null
    private var previewUseCase: Preview? = null
    private var videoCapture: VideoCapture<Recorder>? = null
    private var recording: Recording? = null

    private val permission = registerForActivityResult(ActivityResultContracts.RequestPermission()) { granted ->
        if (granted) startCamera() else showGrant()
    }

    private val displayListener = object : DisplayManager.DisplayListener {
        override fun onDisplayChanged(displayId: Int) = updateRotation()
        override fun onDisplayAdded(displayId: Int) = Unit
        override fun onDisplayRemoved(displayId: Int) = Unit
    }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.activity_main)
        preview = findViewById(R.id.preview)
        overlay = findViewById(R.id.overlay)
        hud = findViewById(R.id.hud)
        overlayToggle = findViewById(R.id.overlayToggle)
        record = findViewById(R.id.record)
        grant = findViewById(R.id.grant)
        // Fit-centre keeps every crop reachable; the engine's transform never shows outside it.
        preview.scaleType = PreviewView.ScaleType.FIT_CENTER
        // A TextureView: it follows the view's scale and translation (a SurfaceView may not).
        preview.implementationMode = PreviewView.ImplementationMode.COMPATIBLE
        preview.pivotX = 0f
        preview.pivotY = 0f
        // Registered before the first layout, so the first size is reported too.
        preview.addOnLayoutChangeListener { v, _, _, _, _, _, _, _, _ -> onViewSize(v.width, v.height) }
        overlayToggle.setOnCheckedChangeListener { _, _ -> overlay.invalidate() }
        record.setOnClickListener { toggleRecording() }
        record.isEnabled = false
        grant.setOnClickListener { permission.launch(Manifest.permission.CAMERA) }
        ballPicker = findViewById(R.id.ball)
        collect = findViewById(R.id.collect)
        export = findViewById(R.id.export)
        val prefs = getPreferences(MODE_PRIVATE)
        ballPicker.setSelection(BALLS.indexOf(savedBall()).coerceAtLeast(0))
        collect.isChecked = prefs.getBoolean(PREF_COLLECT, false)
        export.isEnabled = collect.isChecked
        ballPicker.onItemSelectedListener = object : AdapterView.OnItemSelectedListener {
            override fun onItemSelected(parent: AdapterView<*>?, view: View?, position: Int, id: Long) =
                chooseBall(BALLS[position])
            override fun onNothingSelected(parent: AdapterView<*>?) = Unit
        }
        collect.setOnCheckedChangeListener { _, on -> setCollecting(on) }
        export.setOnClickListener { exportHardFrames() }
        setLogSink(LogcatSink(), LogLevel.INFO)
        choice = choosePreset(deviceClass())
        if (hasCameraPermission()) startCamera() else permission.launch(Manifest.permission.CAMERA)
    }

    override fun onStart() {
        super.onStart()
        getSystemService(DisplayManager::class.java).registerDisplayListener(displayListener, null)
        updateRotation()
        // CameraX restarts the camera with the lifecycle: a new stream.
        onEngine {
            it.appForegrounded()
            it.cameraStarted()
        }
    }

    override fun onStop() {
        recording?.stop()
        getSystemService(DisplayManager::class.java).unregisterDisplayListener(displayListener)
        onEngine { it.appBackgrounded() }
        super.onStop()
    }

    override fun onConfigurationChanged(newConfig: Configuration) {
        super.onConfigurationChanged(newConfig)
        // Not recreated on rotation (configChanges): the new size comes through the layout
        // listener, the new rotation goes to the use cases here.
        updateRotation()
    }

    override fun onDestroy() {
        super.onDestroy()
        analysisExecutor.execute {
            engine?.close()
            engine = null
        }
        analysisExecutor.shutdown()
    }

    /** Runs `block` with the engine on the analysis thread (nothing without an engine); never throws. */
    private fun onEngine(block: (BallcamEngine) -> Unit) {
        if (analysisExecutor.isShutdown) return
        analysisExecutor.execute {
            val e = engine ?: return@execute
            try {
                block(e)
            } catch (ex: Exception) {
                Log.w(TAG, "engine call failed: ${ex.javaClass.simpleName}: ${ex.message}")
            }
        }
    }

    private fun onViewSize(width: Int, height: Int) {
        if (width <= 0 || height <= 0 || viewSize.get() == Size(width, height)) return
        viewSize.set(Size(width, height))
        onEngine { it.setView(width.toDouble(), height.toDouble(), ScaleMode.FIT) }
    }

    private fun displayRotation(): Int = preview.display?.rotation ?: Surface.ROTATION_0

    /** Keeps the frames upright for the display: CameraX's rotationDegrees follows targetRotation. */
    private fun updateRotation() {
        val rotation = displayRotation()
        analysis?.targetRotation = rotation
        previewUseCase?.targetRotation = rotation
        // A recording keeps the orientation it started with (its crop path too).
        if (recording == null) videoCapture?.targetRotation = rotation
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
        // The engine prepares the model (a few hundred ms): build it on the analysis thread, and
        // give it the view's size if the layout came first (else the layout listener does).
        val ball = savedBall()
        val collecting = collect.isChecked
        analysisExecutor.execute {
            val preset = if (choice == PresetChoice.PHONE_60FPS) Preset.PHONE60_FPS else Preset.PHONE30_FPS
            val e = try {
                BallcamEngine.withOptions(preset, ball, collecting).also { built ->
                    viewSize.get()?.let { built.setView(it.width.toDouble(), it.height.toDouble(), ScaleMode.FIT) }
                }
            } catch (ex: Exception) {
                Log.e(TAG, "engine: ${ex.message}")
                runOnUiThread { hud.text = getString(R.string.engine_failed, ex.message) }
                return@execute
            }
            engine = e
            runOnUiThread { if (!isDestroyed) bindCamera() }
        }
    }

    private fun bindCamera() {
        val providerFuture = ProcessCameraProvider.getInstance(this)
        providerFuture.addListener({
            val provider = try {
                providerFuture.get()
            } catch (ex: Exception) {
                hud.text = getString(R.string.engine_failed, ex.message)
                return@addListener
            }
            val rotation = displayRotation()
            // The analysis and the recording both take the whole sensor at 16:9, so the crop path
            // maps onto the video.
            val resolution = ResolutionSelector.Builder()
                .setAspectRatioStrategy(AspectRatioStrategy.RATIO_16_9_FALLBACK_AUTO_STRATEGY)
                .setResolutionStrategy(
                    ResolutionStrategy(Size(1280, 720), ResolutionStrategy.FALLBACK_RULE_CLOSEST_HIGHER_THEN_LOWER),
                )
                .build()
            val fps = Range(choice.targetFps, choice.targetFps)
            val p = Preview.Builder()
                .setResolutionSelector(resolution)
                .setTargetFrameRate(fps)
                .setTargetRotation(rotation)
                .build()
                .also { it.setSurfaceProvider(preview.surfaceProvider) }
            val a = ImageAnalysis.Builder()
                .setResolutionSelector(resolution)
                .setTargetRotation(rotation)
                .setBackpressureStrategy(ImageAnalysis.STRATEGY_KEEP_ONLY_LATEST)
                .setOutputImageFormat(ImageAnalysis.OUTPUT_IMAGE_FORMAT_YUV_420_888)
                .build()
            a.setAnalyzer(analysisExecutor, BallAnalyzer({ engine }, ::publish))
            val recorder = Recorder.Builder()
                .setAspectRatio(AspectRatio.RATIO_16_9)
                .setQualitySelector(QualitySelector.from(Quality.FHD, FallbackStrategy.lowerQualityOrHigherThan(Quality.FHD)))
                .build()
            val v = VideoCapture.Builder(recorder).setTargetRotation(rotation).setTargetFrameRate(fps).build()
            val withVideo = try {
                provider.unbindAll()
                try {
                    provider.bindToLifecycle(this, CameraSelector.DEFAULT_BACK_CAMERA, p, a, v)
                    true
                } catch (ex: IllegalArgumentException) {
                    // No three-stream combination on this camera: no recording.
                    Log.w(TAG, "no video recording alongside the analysis: ${ex.message}")
                    provider.bindToLifecycle(this, CameraSelector.DEFAULT_BACK_CAMERA, p, a)
                    false
                }
            } catch (ex: Exception) {
                hud.text = getString(R.string.engine_failed, ex.message)
                return@addListener
            }
            previewUseCase = p
            analysis = a
            videoCapture = if (withVideo) v else null
            record.isEnabled = withVideo
            onEngine { it.cameraStarted() }
        }, ContextCompat.getMainExecutor(this))
    }

    /** On the analysis thread: hands the latest result to the UI (one post at a time). */
    private fun publish(r: FrameResult) {
        if (frames++ % HUD_EVERY_FRAMES == 0L) {
            val s = r.stats
            val line = String.format(Locale.ROOT, "%.0f fps · engine %.1f ms · latency %.1f ms", s.fps, s.engineMs, s.latencyMs)
            // Tracking quality over the last second (good / uncertain / lost).
            val quality = s.quality.name.lowercase()
            hudText.set("${choice.configName} · $line\n$quality · ${r.state.name.lowercase()} · ${r.mode.name.lowercase()}")
        }
        latest.set(r)
        if (uiPosted.compareAndSet(false, true)) runOnUiThread(::applyLatest)
    }

    /** On the UI thread: moves the virtual camera and updates the overlay and the HUD. */
    private fun applyLatest() {
        uiPosted.set(false)
        val r = latest.getAndSet(null) ?: return
        if (isDestroyed) return
        val (vw, vh) = preview.width.toDouble() to preview.height.toDouble()
        val showOverlay = overlayToggle.isChecked
        val view = r.view?.takeIf { it.viewWidth == vw && it.viewHeight == vh }
        if (showOverlay) {
            applyTransform(1.0, 0.0, 0.0)
        } else if (view != null) {
            applyTransform(view.scale, view.tx, view.ty)
        }
        val mapping: ViewTransform? = if (showOverlay) plainPreview(r, vw, vh) else view
        overlay.show(r, mapping, showOverlay)
        // The HUD has a fixed size: a new text redraws it without a relayout.
        hudText.getAndSet(null)?.let { hud.text = it }
    }

    private fun applyTransform(scale: Double, tx: Double, ty: Double) {
        preview.scaleX = scale.toFloat()
        preview.scaleY = scale.toFloat()
        preview.translationX = tx.toFloat()
        preview.translationY = ty.toFloat()
    }

    /** The whole frame as the fit-centre preview shows it (overlay mode). */
    private fun plainPreview(r: FrameResult, vw: Double, vh: Double): ViewTransform? = try {
        viewTransform(r.frameWidth, r.frameHeight, 0, vw, vh, ScaleMode.FIT, null)
    } catch (ex: Exception) {
        null
    }

    private fun savedBall(): Ball =
        BALLS.firstOrNull { it.name == getPreferences(MODE_PRIVATE).getString(PREF_BALL, null) } ?: Ball.ANY

    /** The sport picker: the engine swaps its detector (the frames keep going meanwhile). */
    private fun chooseBall(ball: Ball) {
        if (ball == savedBall()) return
        getPreferences(MODE_PRIVATE).edit().putString(PREF_BALL, ball.name).apply()
        onEngine { it.setBall(ball) }
    }

    /** The hard-frame switch; turning it off forgets the frames not yet exported. */
    private fun setCollecting(on: Boolean) {
        getPreferences(MODE_PRIVATE).edit().putBoolean(PREF_COLLECT, on).apply()
        export.isEnabled = on
        onEngine { it.setCapture(on) }
    }

    /** Writes the kept frames and the telemetry into a new queue folder, then forgets the frames. */
    private fun exportHardFrames() {
        val root = getExternalFilesDir(null) ?: filesDir
        // Milliseconds in the name: a second export never lands in the first one's folder.
        val dir = File(root, "queue-" + SimpleDateFormat("yyyyMMdd-HHmmss-SSS", Locale.ROOT).format(Date()))
        if (analysisExecutor.isShutdown) return
        analysisExecutor.execute {
            val message = try {
                // No engine yet (the model is still being prepared): said, not silently skipped.
                val e = engine ?: throw IllegalStateException(getString(R.string.starting))
                val done = e.exportCaptures(dir.path)
                File(dir, TELEMETRY_FILE).writeText(e.telemetryJson())
                e.clearCaptures()
                getString(R.string.exported, done.images.toInt(), done.episodes.toInt(), dir.path)
            } catch (ex: Exception) {
                getString(R.string.export_failed, ex.message)
            }
            runOnUiThread { Toast.makeText(this, message, Toast.LENGTH_LONG).show() }
        }
    }

    private fun toggleRecording() {
        recording?.let {
            it.stop()
            return
        }
        val capture = videoCapture ?: return
        val dir = getExternalFilesDir(Environment.DIRECTORY_MOVIES) ?: filesDir
        val stem = "match-" + SimpleDateFormat("yyyyMMdd-HHmmss", Locale.ROOT).format(Date())
        val video = File(dir, "$stem.mp4")
        val path = File(dir, "$stem.csv")
        recording = capture.output.prepareRecording(this, FileOutputOptions.Builder(video).build())
            .start(ContextCompat.getMainExecutor(this)) { event ->
                when (event) {
                    is VideoRecordEvent.Start -> {
                        // The recorded buffers and the rotation the file is tagged with.
                        val info = capture.resolutionInfo
                        if (info != null) {
                            val (w, h) = info.resolution.width.toUInt() to info.resolution.height.toUInt()
                            onEngine { it.startPath(path.absolutePath, w, h, info.rotationDegrees) }
                        }
                        record.setText(R.string.stop)
                    }
                    is VideoRecordEvent.Finalize -> {
                        onEngine { Log.i(TAG, "crop path: ${it.finishPath()} rows in ${path.name}") }
                        if (event.hasError()) Log.w(TAG, "recording ended with error ${event.error}: ${event.cause?.message}")
                        recording = null
                        record.setText(R.string.record)
                        updateRotation()
                    }
                    else -> Unit
                }
            }
    }

    private companion object {
        const val TAG = "Ballcam"

        /** HUD refresh: every 8th frame (about 4 Hz at 30 fps). */
        const val HUD_EVERY_FRAMES = 8L

        /** The sport picker's entries, in the order of `R.array.ball_choices`. */
        val BALLS = listOf(Ball.ANY, Ball.FOOTBALL)
        const val PREF_BALL = "ball"
        const val PREF_COLLECT = "collect_hard_frames"

        /** The telemetry written beside an exported queue (`ballcam report --telemetry`). */
        const val TELEMETRY_FILE = "telemetry.json"
    }
}
