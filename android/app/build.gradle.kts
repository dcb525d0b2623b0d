// Ballcam Android shell. The Rust library is built by ../build-rust.sh (cargo-ndk 4, profile
// `mobile`, 16 KB-aligned) into build/rustJniLibs, and the Kotlin bindings are generated from it by
// uniffi-bindgen into build/generated/uniffi (never committed). Both run before preBuild.
// BALLCAM_ABIS (space-separated, default "arm64-v8a armeabi-v7a x86_64") picks the ABIs; the
// bindings are generated from the first one built.
import org.gradle.internal.os.OperatingSystem

plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
}

val workspaceDir: File = rootProject.projectDir.parentFile
val rustJniLibs = layout.buildDirectory.dir("rustJniLibs")
val uniffiKotlin = layout.buildDirectory.dir("generated/uniffi/kotlin")

/** The ABIs built, and the Rust target of each. */
val abis: List<String> = (System.getenv("BALLCAM_ABIS") ?: "arm64-v8a armeabi-v7a x86_64").split(" ").filter { it.isNotBlank() }
val rustTargets = mapOf(
    "arm64-v8a" to "aarch64-linux-android",
    "armeabi-v7a" to "armv7-linux-androideabi",
    "x86_64" to "x86_64-linux-android",
    "x86" to "i686-linux-android",
)

android {
    namespace = "app.ballcam"
    compileSdk = 35
    // r27c: links with -z max-page-size=16384 (build-rust.sh also asks for it and checks it).
    ndkVersion = "27.2.12479018"

    defaultConfig {
        applicationId = "app.ballcam"
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        ndk { abiFilters += abis }
    }

    buildTypes {
        release {
            isMinifyEnabled = false
            signingConfig = signingConfigs.getByName("debug")
        }
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }
    packaging {
        // Uncompressed and page-aligned in the APK, as Android 15+ 16 KB-page devices load them.
        jniLibs.useLegacyPackaging = false
    }

    sourceSets["main"].apply {
        java.srcDirs("src/main/kotlin", "src/pure/kotlin", uniffiKotlin)
        jniLibs.srcDirs(rustJniLibs)
    }
}

/** Builds libballcam_ffi.so for every ABI (cargo-ndk, profile `mobile`). */
val buildRust by tasks.registering(Exec::class) {
    group = "ballcam"
    description = "Builds the Rust FFI library for the Android ABIs"
    workingDir = rootProject.projectDir
    environment("BALLCAM_JNILIBS", rustJniLibs.get().asFile.absolutePath)
    environment("BALLCAM_ABIS", abis.joinToString(" "))
    commandLine("bash", "build-rust.sh")
    inputs.files(fileTree(workspaceDir) {
        include("core/src/**", "bindings/src/**", "models/ballnet.onnx", "**/Cargo.toml", "Cargo.lock")
        exclude("android/**", "ios/**", "target/**")
    })
    outputs.dir(rustJniLibs)
}

/**
 * Generates the Kotlin bindings from the first ABI's library in cargo's target directory (library
 * mode reads uniffi's metadata from its symbols; the copies in jniLibs may be stripped by
 * cargo-ndk), with the Android settings of ../uniffi-android.toml.
 */
val generateBindings by tasks.registering(Exec::class) {
    group = "ballcam"
    description = "Generates the uniffi Kotlin bindings into build/generated/uniffi"
    dependsOn(buildRust)
    workingDir = workspaceDir
    val targetDir = System.getenv("CARGO_TARGET_DIR")?.let { File(it) } ?: File(workspaceDir, "target")
    val abi = abis.first()
    val triple = rustTargets[abi] ?: throw GradleException("unknown ABI $abi (known: ${rustTargets.keys})")
    val lib = File(targetDir, "$triple/mobile/libballcam_ffi.so")
    val cargo = if (OperatingSystem.current().isWindows) "cargo.exe" else "cargo"
    commandLine(
        cargo, "run", "--release", "-p", "uniffi-bindgen", "--",
        "generate", "--library", lib.absolutePath, "--language", "kotlin",
        "--config", File(rootProject.projectDir, "uniffi-android.toml").absolutePath,
        "--no-format", "--out-dir", uniffiKotlin.get().asFile.absolutePath,
    )
    inputs.dir(rustJniLibs)
    inputs.file(File(rootProject.projectDir, "uniffi-android.toml"))
    outputs.dir(uniffiKotlin)
}

tasks.named("preBuild") { dependsOn(generateBindings) }

dependencies {
    val camerax = "1.4.1"
    implementation("androidx.camera:camera-core:$camerax")
    implementation("androidx.camera:camera-camera2:$camerax")
    implementation("androidx.camera:camera-lifecycle:$camerax")
    implementation("androidx.camera:camera-video:$camerax")
    implementation("androidx.camera:camera-view:$camerax")
    implementation("androidx.appcompat:appcompat:1.7.0")
    implementation("androidx.activity:activity-ktx:1.9.3")
    implementation("androidx.core:core-ktx:1.13.1")
    // The generated bindings' Android cleaner (android = true) uses @RequiresApi.
    implementation("androidx.annotation:annotation:1.9.1")
    // uniffi's Kotlin bindings call the library through JNA. 5.17.0: its libjnidispatch.so is
    // 16 KB-aligned and loads on Android 15+ 16 KB-page devices (5.14 crashes there on the first
    // FFI call; 5.16 fixed the alignment, 5.17 the remaining JNI_OnLoad crash).
    implementation("net.java.dev.jna:jna:5.17.0@aar")
}
